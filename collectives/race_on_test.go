//go:build race

package collectives

// raceEnabled trims the largest payloads: the race detector makes every
// instrumented element access ~10x slower, and the algorithms are the same.
const raceEnabled = true
