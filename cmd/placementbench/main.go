// Command placementbench measures the bot through its HTTP interactions endpoint on seeded
// data: throughput and p50/p99 latency of browsing, paging, recommendations, viewing and
// applying at a fixed offered rate and at saturation, against a bare baseline that runs the
// same browse query; p99 with and without a burst of background work; browse latency at
// 10,000 vs 1,000,000 positions; and, with -soak, memory over a long mixed load. With -round it
// times a placement round instead, database to database, from 1,000 to 47,208 students.
//
//	go run ./cmd/placementbench            # full run (a few minutes)
//	go run ./cmd/placementbench -soak 10m  # the same, then a 10-minute soak
//	go run ./cmd/placementbench -quick     # small data, short phases: a smoke run
//	go run ./cmd/placementbench -round     # the placement round phase alone
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	goredis "github.com/redis/go-redis/v9"

	"placementbot/internal/config"
	"placementbot/internal/devserver"
	"placementbot/internal/discord"
	"placementbot/internal/discord/features"
	"placementbot/internal/discord/httpendpoint"
	"placementbot/internal/discord/restbase"
	"placementbot/internal/httpserver"
	"placementbot/internal/i18n"
	"placementbot/internal/placement"
	"placementbot/internal/postgres"
	"placementbot/internal/redis"

	"github.com/bwmarrin/discordgo"
)

func main() {
	quick := flag.Bool("quick", false, "small data and short phases")
	rate := flag.Int("rate", 500, "offered rate for the fixed-rate phase, interactions per second")
	phase := flag.Duration("phase", 15*time.Second, "length of each measured phase")
	workers := flag.Int("workers", 32, "concurrent clients in the saturation phases")
	scale := flag.Bool("scale", true, "also compare browse latency at 10,000 and 1,000,000 positions")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	slow := flag.Duration("slowlog", 0, "print the statements slower than this from the Postgres log at the end")
	soakFor := flag.Duration("soak", 0, "also run a soak of this long (e.g. 10m): mixed load, RSS and heap each minute")
	round := flag.Bool("round", false, "run only the placement round phase: preview and publish at 1,000 to 47,208 students")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "placementbench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	sz := sizes{enterprises: 2000, positions: 100_000, students: 50_000, applications: 500_000}
	if *quick {
		sz = sizes{enterprises: 50, positions: 2000, students: 500, applications: 2000}
		*phase, *rate = 3*time.Second, 100
	}
	if *round {
		if err := roundBench(context.Background(), *quick); err != nil {
			fmt.Fprintln(os.Stderr, "placementbench:", err)
			pprof.StopCPUProfile()
			os.Exit(1)
		}
		return
	}
	if err := run(context.Background(), sz, *rate, *phase, *workers, *scale && !*quick, *slow, *soakFor); err != nil {
		fmt.Fprintln(os.Stderr, "placementbench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// env is a local Postgres and Redis for the run.
type env struct {
	pg *devserver.Postgres
	rd *devserver.Redis
}

func startEnv(ctx context.Context) (*env, error) {
	dir, err := os.MkdirTemp("", "pbbench")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	pg, err := devserver.StartPostgres(ctx, devserver.PostgresOptions{DataDir: dir + "/pg", Ephemeral: true})
	if err != nil {
		return nil, err
	}
	rd, err := devserver.StartRedis(ctx, devserver.RedisOptions{})
	if err != nil {
		pg.Close()
		return nil, err
	}
	return &env{pg: pg, rd: rd}, nil
}

func (e *env) close() {
	e.rd.Close()
	e.pg.Close()
	_ = os.RemoveAll(strings.TrimSuffix(e.pg.LogPath(), "/pg/server.log"))
}

// database creates, migrates and seeds a database of the given size.
func (e *env) database(ctx context.Context, name string, sz sizes) (*pgxpool.Pool, time.Duration, error) {
	admin, err := postgres.Open(ctx, e.pg.URL("postgres"))
	if err != nil {
		return nil, 0, err
	}
	_, err = admin.Exec(ctx, "CREATE DATABASE "+name)
	admin.Close()
	if err != nil {
		return nil, 0, err
	}
	url := e.pg.URL(name) + "&pool_max_conns=20"
	if err := postgres.MigrateUp(ctx, url); err != nil {
		return nil, 0, err
	}
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		return nil, 0, err
	}
	took, err := seed(ctx, pool, sz)
	return pool, took, err
}

func run(ctx context.Context, sz sizes, rate int, phase time.Duration, workers int, scale bool, slow, soakFor time.Duration) error {
	e, err := startEnv(ctx)
	if err != nil {
		return err
	}
	defer e.close()
	pool, took, err := e.database(ctx, "bench", sz)
	if err != nil {
		return err
	}
	defer pool.Close()
	if slow > 0 {
		if err := logSlow(ctx, pool, slow); err != nil {
			return err
		}
		defer printSlow(e.pg.LogPath())
	}
	fmt.Printf("seeded %d positions over %d enterprises, %d students, %d applications in %s\n\n",
		sz.positions, sz.enterprises, sz.students, sz.applications, took.Round(time.Second))

	rdb := redis.NewClient(redis.Options{Addrs: []string{e.rd.Addr()}})
	defer rdb.Close()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	bot, err := newBot(pool, rdb, pub)
	if err != nil {
		return err
	}
	defer bot.Close()
	base := httptest.NewServer(&baseline{store: postgres.NewStore(pool), key: pub})
	defer base.Close()

	c := &client{url: bot.URL, key: priv, http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
	w := &workload{c: c, sz: sz}
	ops := w.ops()

	// Warm up: connection pools, statement caches, the page cache; not measured.
	fixedRate(ctx, ops, rate, phase/3)
	firstError.Store(nil)

	fmt.Printf("fixed rate: %d interactions/s offered for %s, mixed (browse, next page, recommended, view, apply)\n", rate, phase)
	printTable(fixedRate(ctx, ops, rate, phase))

	fmt.Printf("\nsaturation: %d concurrent clients for %s, mixed\n", workers, phase)
	printTable(saturate(ctx, ops, workers, phase))

	fmt.Printf("\nbrowse only, saturation, %d clients, %s each: the bot vs a bare handler running the same query\n", workers, phase)
	fmt.Printf("  (alternating in %d rounds, so both see the same machine)\n", rounds)
	bc := &client{url: base.URL, key: priv, http: c.http}
	baseOps := []op{(&workload{c: bc, sz: sz}).browseOp()}
	var botBrowse, baseBrowse result
	var botCPU, baseCPU cpuTimes
	for range rounds {
		t0 := readCPU()
		botBrowse = botBrowse.merge(saturate(ctx, []op{w.browseOp()}, workers, phase/rounds)["all"])
		t1 := readCPU()
		baseBrowse = baseBrowse.merge(saturate(ctx, baseOps, workers, phase/rounds)["all"])
		t2 := readCPU()
		botCPU, baseCPU = botCPU.add(t1.sub(t0)), baseCPU.add(t2.sub(t1))
	}
	fmt.Printf("  bot       %8.0f/s  p50 %-8s p99 %-8s errors %d\n", botBrowse.rate(), ms(botBrowse.pct(50)), ms(botBrowse.pct(99)), botBrowse.errors)
	fmt.Printf("  baseline  %8.0f/s  p50 %-8s p99 %-8s errors %d\n", baseBrowse.rate(), ms(baseBrowse.pct(50)), ms(baseBrowse.pct(99)), baseBrowse.errors)
	fmt.Printf("  ratio     %.2f\n", botBrowse.rate()/baseBrowse.rate())
	fmt.Printf("  bot       %s\n  baseline  %s\n", botCPU.perRequest(botBrowse.count), baseCPU.perRequest(baseBrowse.count))

	if e := firstError.Load(); e != nil {
		fmt.Printf("\nfirst error: %s\n", *e)
	}
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	fmt.Printf("\nRSS %.0f MiB (bot, load generator and pools in one process), Go heap in use %d MiB\n", mib(rssBytes()), mem.HeapInuse>>20)

	apps, err := seedAccepted(ctx, pool, approvalPositions(sz))
	if err != nil {
		return err
	}
	fmt.Printf("\napprovals: %d accepted offers on %d positions of 1–5 slots, each pressed by two coordinators at once (%d concurrent clients)\n",
		len(apps), approvalPositions(sz), workers)
	approved, already, took, lat, errs, first := approvalStorm(ctx, c, apps, workers)
	p := func(q float64) time.Duration { return lat[max(int(q*float64(len(lat)))-1, 0)] }
	fmt.Printf("  %d approved, %d told already done, %d errors in %s: %.0f approvals/s, %.0f presses/s, p50 %s p99 %s\n",
		approved, already, errs, took.Round(time.Millisecond), float64(approved)/took.Seconds(), float64(len(lat))/took.Seconds(), ms(p(0.5)), ms(p(0.99)))
	if first != "" {
		fmt.Printf("  first error: %s\n", first)
	}

	if err := burstCheck(ctx, e, ops, rate, phase, min(20_000, sz.students)); err != nil {
		return err
	}
	if soakFor > 0 {
		soak(ctx, ops, rate, soakFor)
	}

	if scale {
		return scaleCheck(ctx, e, rdb, pub, priv, phase)
	}
	return nil
}

// approvalPositions is how many positions get accepted offers for the approval storm.
func approvalPositions(sz sizes) int { return min(1000, sz.positions/20) }

// scaleCheck compares browse p99 at 10,000 and 1,000,000 positions at a modest fixed rate.
func scaleCheck(ctx context.Context, e *env, rdb goredis.UniversalClient, pub ed25519.PublicKey, priv ed25519.PrivateKey, phase time.Duration) error {
	fmt.Printf("\nbrowse p99 by data size (100 interactions/s for %s; browse: plain first page, skill, keyword and program\n"+
		"filters; search: Chinese keywords of 1-3 characters, a partial Latin word, partial locations)\n", phase)
	p99 := map[string][]time.Duration{}
	for _, n := range []int{10_000, 1_000_000} {
		sz := sizes{enterprises: 2000, positions: n, students: 1000, applications: 0}
		pool, took, err := e.database(ctx, fmt.Sprintf("scale%d", n), sz)
		if err != nil {
			return err
		}
		bot, err := newBot(pool, rdb, pub)
		if err != nil {
			return err
		}
		w := &workload{c: &client{url: bot.URL, key: priv, http: http.DefaultClient}, sz: sz}
		rs := fixedRate(ctx, []op{w.browseOp(), w.searchOp()}, 100, phase)
		fmt.Printf("  %9d positions (seeded in %s):\n", n, took.Round(time.Second))
		for _, name := range []string{"browse", "search"} {
			r := rs[name]
			fmt.Printf("    %-6s p50 %-8s p99 %-8s errors %d\n", name, ms(r.pct(50)), ms(r.pct(99)), r.errors)
			p99[name] = append(p99[name], r.pct(99))
		}
		if n == 1_000_000 {
			if err := explain(ctx, pool); err != nil {
				return err
			}
		}
		bot.Close()
		pool.Close()
	}
	for _, name := range []string{"browse", "search"} {
		fmt.Printf("  %s p99 ratio 1,000,000 / 10,000: %.2f\n", name, float64(p99[name][1])/float64(p99[name][0]))
	}
	return nil
}

// explain prints the plans of the browse queries at this size.
func explain(ctx context.Context, pool *pgxpool.Pool) error {
	store := postgres.NewStore(pool)
	for _, f := range append([]placement.PositionFilter{{}, {Skill: "welding"}, {Keyword: "electrician"}}, searchFilters...) {
		plan, err := store.ExplainBrowse(ctx, guildID, f, 0, placement.PageSize, time.Now())
		if err != nil {
			return err
		}
		fmt.Printf("\n  EXPLAIN ANALYZE browse %+v:\n    %s\n", f, strings.ReplaceAll(strings.TrimSpace(plan), "\n", "\n    "))
	}
	return nil
}

// logSlow makes Postgres log every statement slower than d.
func logSlow(ctx context.Context, pool *pgxpool.Pool, d time.Duration) error {
	if _, err := pool.Exec(ctx, fmt.Sprintf("ALTER SYSTEM SET log_min_duration_statement = %d", d.Milliseconds())); err != nil {
		return err
	}
	_, err := pool.Exec(ctx, "SELECT pg_reload_conf()")
	return err
}

// printSlow prints the slow statements Postgres logged, with how often each was slow.
func printSlow(path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Println("slow log:", err)
		return
	}
	counts := map[string]int{}
	var cur []string
	flushStmt := func() {
		if len(cur) > 0 {
			counts[strings.Join(strings.Fields(strings.Join(cur, " ")), " ")]++
		}
		cur = nil
	}
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.Contains(line, "duration:"):
			flushStmt()
			if i := strings.Index(line, "ms  "); i >= 0 {
				cur = []string{line[i+4:]}
			}
		case cur != nil && (strings.HasPrefix(line, "\t") || strings.HasPrefix(line, " ")):
			cur = append(cur, line)
		default:
			flushStmt()
		}
	}
	flushStmt()
	fmt.Printf("\nslow statements (%d kinds):\n", len(counts))
	for stmt, n := range counts {
		fmt.Printf("  %5d × %.700s\n", n, stmt)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

func printTable(res map[string]result) {
	for _, name := range []string{"browse", "next", "recommended", "view", "apply", "all"} {
		r, ok := res[name]
		if !ok {
			continue
		}
		fmt.Printf("  %-12s %7d done %8.0f/s  p50 %-8s p99 %-8s errors %d\n", name, r.count, r.rate(), ms(r.pct(50)), ms(r.pct(99)), r.errors)
	}
}

// botServer is the bot served on loopback.
type botServer struct {
	URL string
	srv *httpserver.Server
}

func (b *botServer) Close() { _ = b.srv.Shutdown(context.Background()) }

// newBot serves the real router through the real HTTP endpoint on loopback, by the server and
// within the limits the binary uses (its idle timeout closes connections a burst left open).
func newBot(pool *pgxpool.Pool, rdb goredis.UniversalClient, pub ed25519.PublicKey) (*botServer, error) {
	catalog, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	log := quietLog()
	svc := placement.NewService(postgres.NewStore(pool))
	svc.Facts = redis.NewFactsCache(rdb, "bench:", time.Minute)
	deps := discord.Deps{
		Service: svc, Catalog: catalog, Log: log,
		Metrics: discord.NewMetrics(prometheus.NewRegistry()), Limiter: redis.NewRateLimiter(rdb, "bench:"),
		Claims: redis.NewIdempotency(rdb, "bench:"), Sessions: redis.NewSessions(rdb, "bench:"),
	}
	router := discord.NewRouter(deps, features.All(deps))
	// Edits after a deferral go to a sink that accepts everything.
	s, _, err := sinkSession()
	if err != nil {
		return nil, err
	}
	go discord.KeepRateLimitsBounded(context.Background(), s)
	h := &httpendpoint.Handler{Router: router, PublicKey: pub, REST: s, Log: log}
	srv, err := httpserver.Listen("127.0.0.1:0", h, httpserver.Defaults(config.DefaultHTTPMaxConns))
	if err != nil {
		return nil, err
	}
	go func() { _ = srv.Serve() }()
	return &botServer{URL: "http://" + srv.Addr(), srv: srv}, nil
}

// quietLog discards the bot's logs; the cost of writing each line stays in.
func quietLog() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

// warnLog shows the background workers' warnings, so a stalled burst says why.
func warnLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// sinkSession is a discordgo session whose REST calls go to a local server that accepts
// everything (edits after a deferral, DMs); closeSink stops that server.
func sinkSession() (s *discordgo.Session, closeSink func(), err error) {
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"1","channel_id":"1"}`))
	}))
	s, _ = discordgo.New("")
	tr, err := restbase.NewTransport(sink.URL+"/api/v10", http.DefaultTransport)
	if err != nil {
		sink.Close()
		return nil, nil, err
	}
	s.Client = &http.Client{Transport: tr}
	return s, sink.Close, nil
}

// rounds is how many alternating slices the bot-versus-baseline comparison takes.
const rounds = 3

var nextKey = regexp.MustCompile(`"(/browse/[A-Za-z0-9]+/next)"`)

var interactionSeq atomic.Int64
