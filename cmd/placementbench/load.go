package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// client signs and posts interactions as Discord does.
type client struct {
	url  string
	key  ed25519.PrivateKey
	http *http.Client
}

func (c *client) post(ctx context.Context, body []byte) ([]byte, error) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, "POST", c.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(c.key, append([]byte(ts), body...))))
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return out, fmt.Errorf("status %d: %s", resp.StatusCode, out)
	}
	return out, nil
}

// op is one kind of request in the load.
type op struct {
	name string
	run  func(ctx context.Context, n int64) error
}

// result is what one run measured for one op.
type result struct {
	count, errors int
	elapsed       time.Duration
	lat           []time.Duration
}

// merge adds another run of the same op.
func (r result) merge(o result) result {
	return result{count: r.count + o.count, errors: r.errors + o.errors, elapsed: r.elapsed + o.elapsed,
		lat: append(r.lat, o.lat...)}
}

func (r result) rate() float64 { return float64(r.count) / r.elapsed.Seconds() }

func (r result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	sort.Slice(r.lat, func(i, j int) bool { return r.lat[i] < r.lat[j] })
	i := int(math.Ceil(p/100*float64(len(r.lat)))) - 1
	return r.lat[max(i, 0)]
}

type recorder struct {
	mu  sync.Mutex
	res map[string]*result
}

func (rec *recorder) add(name string, d time.Duration, err error) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	r := rec.res[name]
	if r == nil {
		r = &result{}
		rec.res[name] = r
	}
	r.count++
	r.lat = append(r.lat, d)
	if err != nil {
		r.errors++
		msg := err.Error()
		firstError.CompareAndSwap(nil, &msg)
	}
}

func (rec *recorder) finish(elapsed time.Duration) map[string]result {
	out := map[string]result{}
	all := result{elapsed: elapsed}
	for name, r := range rec.res {
		r.elapsed = elapsed
		out[name] = *r
		all.count += r.count
		all.errors += r.errors
		all.lat = append(all.lat, r.lat...)
	}
	out["all"] = all
	return out
}

// saturate runs ops round-robin from `workers` closed-loop workers for d: the most the server
// can do.
func saturate(ctx context.Context, ops []op, workers int, d time.Duration) map[string]result {
	rec := &recorder{res: map[string]*result{}}
	var seq atomic.Int64
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				n := seq.Add(1)
				o := ops[int(n)%len(ops)]
				t0 := time.Now()
				err := o.run(context.WithoutCancel(ctx), n)
				if ctx.Err() != nil && err != nil {
					return
				}
				rec.add(o.name, time.Since(t0), err)
			}
		}()
	}
	wg.Wait()
	return rec.finish(time.Since(start))
}

// fixedRate offers ops round-robin at `rate` per second for d, open loop: latency counts from
// when each request was due, so a slow server cannot hide its queueing.
func fixedRate(ctx context.Context, ops []op, rate int, d time.Duration) map[string]result {
	rec := &recorder{res: map[string]*result{}}
	interval := time.Second / time.Duration(rate)
	total := int(d / interval)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < total; i++ {
		due := start.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		wg.Add(1)
		go func(n int64) {
			defer wg.Done()
			o := ops[int(n)%len(ops)]
			err := o.run(ctx, n)
			rec.add(o.name, time.Since(due), err)
		}(int64(i))
	}
	wg.Wait()
	return rec.finish(time.Since(start))
}

// firstError keeps one failed reply per run, to show what went wrong.
var firstError atomic.Pointer[string]
