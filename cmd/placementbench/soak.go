package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// memSample is the process's memory at one moment.
type memSample struct {
	at         time.Duration
	rss, heapB uint64
}

// takeSample collects garbage first, so the heap figure is what is retained.
func takeSample(at time.Duration) memSample {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return memSample{at: at, rss: rssBytes(), heapB: m.HeapInuse}
}

// soak offers the mixed load at rate for d, in slices of a minute (shorter for a short soak),
// and after each slice prints its p99 with the process's RSS and Go heap; at the end it reports
// how much both grew after the first two minutes (the first two slices of a short soak), when
// pools, caches and the page cache have settled.
func soak(ctx context.Context, ops []op, rate int, d time.Duration) {
	every := min(time.Minute, d/5)
	warm := 2 * every
	fmt.Printf("\nsoak: %d interactions/s, mixed, for %s; RSS and Go heap (after a collection) every %s\n", rate, d, every)
	samples := []memSample{takeSample(0)}
	start := time.Now()
	for time.Since(start) < d {
		firstError.Store(nil)
		r := fixedRate(ctx, ops, rate, every)["all"]
		s := takeSample(time.Since(start))
		samples = append(samples, s)
		fmt.Printf("  %6s  RSS %7.1f MiB  heap %6.1f MiB  p99 %-8s errors %d\n",
			s.at.Round(time.Second), mib(s.rss), mib(s.heapB), ms(r.pct(99)), r.errors)
		if e := firstError.Load(); e != nil {
			fmt.Printf("          first error: %.200s\n", *e)
		}
	}
	base, last := samples[0], samples[len(samples)-1]
	for _, s := range samples {
		if s.at >= warm {
			base = s
			break
		}
	}
	fmt.Printf("  growth after %s: RSS %+.1f MiB, heap %+.1f MiB (target under 5 MB)\n", base.at.Round(time.Second),
		mib(last.rss)-mib(base.rss), mib(last.heapB)-mib(base.heapB))
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// rssBytes is the process's resident set size, 0 when unknown.
func rssBytes() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmRSS:" && f[2] == "kB" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
