package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	goredis "github.com/redis/go-redis/v9"

	"placementbot/internal/config"
	"placementbot/internal/demo"
	"placementbot/internal/devserver"
	"placementbot/internal/discord"
	"placementbot/internal/discord/console"
	"placementbot/internal/discord/features"
	"placementbot/internal/discord/gateway"
	"placementbot/internal/discord/httpendpoint"
	"placementbot/internal/discord/restbase"
	"placementbot/internal/httpserver"
	"placementbot/internal/i18n"
	"placementbot/internal/jobs"
	"placementbot/internal/ops"
	"placementbot/internal/outbox"
	"placementbot/internal/placement"
	"placementbot/internal/postgres"
	"placementbot/internal/redis"
)

// shutdownGrace is how long in-flight interactions may take to finish on shutdown.
const shutdownGrace = 15 * time.Second

// serve wires configuration → stores → service → router → transport and runs until ctx ends.
func serve(ctx context.Context, cfg config.Config, transport config.Transport) error {
	level, _ := cfg.SlogLevel()
	logOut := io.Writer(os.Stderr)
	if transport == config.Console {
		// The terminal belongs to the person typing; logs go to a file beside the local data.
		if err := os.MkdirAll(cfg.LocalDataDir(), 0o755); err != nil {
			return fmt.Errorf("create %s: %w", cfg.LocalDataDir(), err)
		}
		f, err := os.OpenFile(filepath.Join(cfg.LocalDataDir(), "placementbot.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("open log file: %w", err)
		}
		defer f.Close()
		logOut = f
	}
	log := slog.New(slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: level}))
	log.Info("starting", "transport", transport, "config", cfg)
	goredis.SetLogger(redisLog{log})

	dbURL, redisAddrs := cfg.DatabaseURL, cfg.RedisAddrList()
	if transport == config.Console && (dbURL == "" || len(redisAddrs) == 0) {
		local, err := startLocal(ctx, cfg, dbURL == "", len(redisAddrs) == 0)
		if err != nil {
			return err
		}
		defer local.close()
		if dbURL == "" {
			dbURL = local.dbURL
		}
		if len(redisAddrs) == 0 {
			redisAddrs = []string{local.redisAddr}
		}
	}

	if err := postgres.MigrateUp(ctx, dbURL); err != nil {
		return err
	}
	pool, bgPool, err := openPools(ctx, cfg, dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	defer bgPool.Close()
	rdb := redis.NewClient(redis.Options{Addrs: redisAddrs, MasterName: cfg.RedisMasterName,
		Username: cfg.RedisUsername, Password: cfg.RedisPassword, DB: cfg.RedisDB})
	defer rdb.Close()

	catalog, err := i18n.Load()
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	svc := placement.NewService(postgres.NewStore(pool))
	svc.Facts = redis.NewFactsCache(rdb, "placementbot:", time.Minute)
	// The console may move the clock (its "clock" line) to let a deadline pass in one session.
	var skew atomic.Int64
	if transport == config.Console {
		svc.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	}
	claims := redis.NewIdempotency(rdb, "placementbot:")
	deps := discord.Deps{
		Service: svc, Catalog: catalog, Log: log, Metrics: discord.NewMetrics(reg),
		Limiter: redis.NewRateLimiter(rdb, "placementbot:"), Claims: claims,
		Sessions: redis.NewSessions(rdb, "placementbot:"),
	}
	feats := features.All(deps)
	router := discord.NewRouter(deps, feats)

	if cfg.OpsListen != "" {
		stopOps, err := startOps(cfg.OpsListen, reg, pool, rdb, log)
		if err != nil {
			return err
		}
		defer stopOps()
	}

	// Background work runs on every replica; each piece is safe to run concurrently.
	om := outbox.NewMetrics(reg)
	newOutbox := func(sender outbox.Sender) *outbox.Worker {
		return outbox.New(outbox.Config{Store: postgres.NewStore(bgPool), Sender: sender, Catalog: catalog,
			Log: log.With("component", "outbox"), Metrics: om, Undeliverable: svc.ForgetMember})
	}
	startOutbox := func(sender outbox.Sender) {
		w := newOutbox(sender)
		go func() { _ = w.Run(ctx) }()
	}
	bgSvc := *svc // the same service and facts cache, reading and writing through the background pool
	bgSvc.Store = postgres.NewStore(bgPool)
	stopJobs, err := startJobs(ctx, bgPool, &bgSvc, log.With("component", "jobs"))
	if err != nil {
		return err
	}
	defer stopJobs()

	switch transport {
	case config.Console:
		g := demo.School()
		if err := demo.Seed(ctx, svc, g); err != nil {
			return err
		}
		in := os.Stdin
		c := console.New(router, discord.ApplicationCommands(catalog, feats), g, in, os.Stdout, isTerminal(in))
		// The console delivers notifications right after the interaction that caused them, so a
		// transcript reads in order.
		c.SetClock = func(t time.Time) { skew.Store(int64(time.Until(t))) }
		w := newOutbox(outbox.ConsoleSender{Out: c, Name: g.NameOf})
		c.AfterEach = func(ctx context.Context) { flush(ctx, w, log) }
		flush(ctx, w, log)
		return c.Run(ctx)
	case config.Gateway:
		s, err := newSession(cfg)
		if err != nil {
			return err
		}
		go discord.KeepRateLimitsBounded(ctx, s)
		router.Members = discord.RESTMembers(s)
		startOutbox(outbox.DiscordSender{Session: s})
		err = gateway.Run(ctx, s, router, claims, cfg.ShardID, cfg.ShardCount)
		return errors.Join(err, waitInflight(router))
	default:
		s, err := newSession(cfg)
		if err != nil {
			return err
		}
		go discord.KeepRateLimitsBounded(ctx, s)
		router.Members = discord.RESTMembers(s)
		startOutbox(outbox.DiscordSender{Session: s})
		key, _ := hex.DecodeString(cfg.DiscordPublicKey) // validated by config
		h := &httpendpoint.Handler{Router: router, PublicKey: ed25519.PublicKey(key), REST: s, Claims: claims, Log: log}
		srv, err := httpserver.Listen(cfg.HTTPListen, h, httpserver.Defaults(cfg.HTTPMaxConns))
		if err != nil {
			return &config.Error{Setting: "PLACEMENTBOT_HTTP_LISTEN", Expected: "a free address to listen on (" + err.Error() + ")"}
		}
		errc := make(chan error, 1)
		go func() { errc <- srv.Serve() }()
		log.Info("interactions endpoint listening", "addr", srv.Addr(), "max_connections", cfg.HTTPMaxConns)
		select {
		case err := <-errc:
			return fmt.Errorf("interactions endpoint: %w", err)
		case <-ctx.Done():
		}
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		return errors.Join(srv.Shutdown(sctx), waitInflight(router))
	}
}

// openPools opens the database twice: a pool for interactions and one for background work
// (river's jobs, the outbox), so a burst of background work cannot take the connections
// members' interactions need.
func openPools(ctx context.Context, cfg config.Config, url string) (interactions, background *pgxpool.Pool, err error) {
	if interactions, err = postgres.OpenSized(ctx, url, cfg.DBPoolSize); err != nil {
		return nil, nil, err
	}
	if background, err = postgres.OpenSized(ctx, url, cfg.DBBackgroundPoolSize); err != nil {
		interactions.Close()
		return nil, nil, err
	}
	return interactions, background, nil
}

// flush sends every notification that is due now.
func flush(ctx context.Context, w *outbox.Worker, log *slog.Logger) {
	for range 100 {
		n, err := w.RunOnce(ctx)
		if err != nil {
			log.Error("sending notifications failed", "err", err)
		}
		if err != nil || n == 0 {
			return
		}
	}
}

// startJobs brings river's tables up to date and starts the time-driven jobs (deadlines,
// expiries, stale positions, reminders, digests); the returned func stops them, letting a run
// in progress finish within the shutdown grace.
func startJobs(ctx context.Context, pool *pgxpool.Pool, svc *placement.Service, log *slog.Logger) (func(), error) {
	if err := jobs.Migrate(ctx, pool, log); err != nil {
		return nil, err
	}
	client, err := jobs.NewClient(jobs.Config{Pool: pool, Service: svc, Log: log})
	if err != nil {
		return nil, err
	}
	if err := client.Start(ctx); err != nil {
		return nil, fmt.Errorf("start jobs: %w", err)
	}
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if err := client.Stop(sctx); err != nil {
			log.Error("stopping jobs failed", "err", err)
		}
	}, nil
}

func waitInflight(r *discord.Router) error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	return r.Wait(ctx)
}

// newSession returns a discordgo session whose REST calls go to the configured base URL.
func newSession(cfg config.Config) (*discordgo.Session, error) {
	token := ""
	if cfg.DiscordToken != "" {
		token = "Bot " + cfg.DiscordToken
	}
	s, err := discordgo.New(token)
	if err != nil {
		return nil, fmt.Errorf("discord session: %w", err)
	}
	rt, err := restbase.NewTransport(cfg.DiscordAPIBase, http.DefaultTransport)
	if err != nil {
		return nil, &config.Error{Setting: "PLACEMENTBOT_DISCORD_API_BASE", Expected: err.Error()}
	}
	s.Client = &http.Client{Transport: rt, Timeout: 10 * time.Second}
	s.ShouldRetryOnRateLimit = false
	s.MaxRestRetries = 1
	return s, nil
}

// opsMaxConns bounds the ops server's connections: a scraper and a few probes use it.
const opsMaxConns = 32

func startOps(addr string, reg *prometheus.Registry, pool *pgxpool.Pool, rdb goredis.UniversalClient, log *slog.Logger) (func(), error) {
	srv, err := httpserver.Listen(addr, ops.Handler(reg, map[string]ops.Check{
		"postgres": pool.Ping,
		"redis":    func(ctx context.Context) error { return rdb.Ping(ctx).Err() },
	}), httpserver.Defaults(opsMaxConns))
	if err != nil {
		return nil, &config.Error{Setting: "PLACEMENTBOT_OPS_LISTEN", Expected: "a free address to listen on (" + err.Error() + ")"}
	}
	go func() {
		if err := srv.Serve(); err != nil {
			log.Error("ops server stopped", "err", err)
		}
	}()
	log.Info("ops endpoints listening", "addr", srv.Addr())
	return func() { _ = srv.Close() }, nil
}

// redisLog sends go-redis's own messages (failed dials while Redis is down) to the JSON log
// instead of standard error, where they would spill into the console.
type redisLog struct{ log *slog.Logger }

func (l redisLog) Printf(_ context.Context, format string, v ...any) {
	l.log.Warn("redis client", "detail", fmt.Sprintf(format, v...))
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// localServers are the Postgres and Redis started for the console when none is configured.
type localServers struct {
	pg        *devserver.Postgres
	rd        *devserver.Redis
	dbURL     string
	redisAddr string
}

func startLocal(ctx context.Context, cfg config.Config, needPG, needRedis bool) (*localServers, error) {
	l := &localServers{}
	dir, err := filepath.Abs(cfg.LocalDataDir())
	if err != nil {
		return nil, err
	}
	if needPG {
		fmt.Fprintln(os.Stderr, "Starting a local Postgres in", filepath.Join(dir, "postgres"), "…")
		l.pg, err = devserver.StartPostgres(ctx, devserver.PostgresOptions{DataDir: filepath.Join(dir, "postgres")})
		if err != nil {
			return nil, err
		}
		if err := createDatabase(ctx, l.pg.URL("postgres"), "placementbot"); err != nil {
			l.close()
			return nil, err
		}
		l.dbURL = l.pg.URL("placementbot")
	}
	if needRedis {
		fmt.Fprintln(os.Stderr, "Starting a local Redis …")
		l.rd, err = devserver.StartRedis(ctx, devserver.RedisOptions{})
		if err != nil {
			l.close()
			return nil, err
		}
		l.redisAddr = l.rd.Addr()
	}
	return l, nil
}

func (l *localServers) close() {
	if l.rd != nil {
		l.rd.Close()
	}
	if l.pg != nil {
		l.pg.Close()
	}
}

// createDatabase creates the named database unless it exists.
func createDatabase(ctx context.Context, adminURL, name string) error {
	pool, err := postgres.Open(ctx, adminURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("check database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := pool.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}
