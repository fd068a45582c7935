package parallel

// Result is the JSON line rank 0 of either side (gopar, h5py_par.py)
// prints for one run: the slowest rank's time, from a barrier before open
// to after close.
type Result struct {
	Case    string  `json:"case"`
	Ranks   int     `json:"ranks"`
	Bytes   int64   `json:"bytes"`
	Flush   bool    `json:"flush"`
	Coll    bool    `json:"coll"`
	Seconds float64 `json:"seconds"`
	Steps   int     `json:"steps,omitempty"`
	Err     string  `json:"err,omitempty"`
	// VPIC is set by the VPIC-IO case.
	VPIC *VPICTimes `json:"vpic,omitempty"`
}

// VPICTimes are the VPIC-IO kernel's figures as h5bench prints them, each
// the slowest rank's: per-step time (metadata and raw writes of the step),
// the sums of raw write and metadata time, file create and close, and the
// bytes written by all ranks.
type VPICTimes struct {
	StepSeconds   []float64 `json:"step_seconds"`
	RawSeconds    float64   `json:"raw_seconds"`
	MetaSeconds   float64   `json:"meta_seconds"`
	CreateSeconds float64   `json:"create_seconds"`
	CloseSeconds  float64   `json:"close_seconds"`
	TotalBytes    int64     `json:"total_bytes"`
}
