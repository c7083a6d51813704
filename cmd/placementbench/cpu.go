package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuTimes is the processor time used so far by this process and by the local Postgres and
// Redis servers, to tell where an interaction's cost goes.
type cpuTimes struct{ self, postgres, redis time.Duration }

func readCPU() cpuTimes {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	t := cpuTimes{self: time.Duration(ru.Utime.Nano() + ru.Stime.Nano())}
	ticks := time.Second / 100 // USER_HZ on Linux
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range stats {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := string(data)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		comm, fields := s[open+1:end], strings.Fields(s[end+1:])
		if len(fields) < 13 {
			continue
		}
		ut, _ := strconv.ParseInt(fields[11], 10, 64)
		st, _ := strconv.ParseInt(fields[12], 10, 64)
		d := time.Duration(ut+st) * ticks
		switch {
		case comm == "postgres":
			t.postgres += d
		case strings.HasPrefix(comm, "redis-server"):
			t.redis += d
		}
	}
	return t
}

func (t cpuTimes) sub(o cpuTimes) cpuTimes {
	return cpuTimes{t.self - o.self, t.postgres - o.postgres, t.redis - o.redis}
}

func (t cpuTimes) add(o cpuTimes) cpuTimes {
	return cpuTimes{t.self + o.self, t.postgres + o.postgres, t.redis + o.redis}
}

// perRequest is the CPU each request cost, in microseconds.
func (t cpuTimes) perRequest(n int) string {
	if n == 0 {
		return ""
	}
	us := func(d time.Duration) int64 { return d.Microseconds() / int64(n) }
	return "CPU per request: Go process " + strconv.FormatInt(us(t.self), 10) + "µs (with the load generator), Postgres " +
		strconv.FormatInt(us(t.postgres), 10) + "µs, Redis " + strconv.FormatInt(us(t.redis), 10) + "µs"
}
