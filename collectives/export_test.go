package collectives

// Test helpers for the external test package (collectives_test).
var (
	LocalForTest   = local
	MustAllForTest = mustAll
	RaceEnabled    = raceEnabled
)
