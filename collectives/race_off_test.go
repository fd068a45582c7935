//go:build gorun_comm && !race

package collectives

const raceEnabled = false
