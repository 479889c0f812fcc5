//go:build unix

package main

import (
	"syscall"
	"time"
)

func rusage(who int) time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(who, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuTime is the CPU time used by this process, all threads together: on a
// shared machine it counts only the work done, not the time spent waiting
// for a core.
func cpuTime() time.Duration { return rusage(syscall.RUSAGE_SELF) }
