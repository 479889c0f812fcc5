//go:build !unix

package benchmarks

import "time"

// cpuTime is not measured here: no cpu-ms/op metric is reported.
func cpuTime() time.Duration { return 0 }
