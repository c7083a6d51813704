// Package config reads the bot's settings from environment variables and an optional YAML file,
// and refuses to start on a wrong or missing setting with one line that names it.
package config

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Config holds every setting. Each field's env tag is its environment variable; its yaml tag
// its key in the optional file named by PLACEMENTBOT_CONFIG. The environment wins over the file.
type Config struct {
	DiscordToken     string `env:"PLACEMENTBOT_DISCORD_TOKEN" yaml:"discord_token" secret:"true"`
	DiscordAppID     string `env:"PLACEMENTBOT_DISCORD_APP_ID" yaml:"discord_app_id"`
	DiscordPublicKey string `env:"PLACEMENTBOT_DISCORD_PUBLIC_KEY" yaml:"discord_public_key"`
	DiscordAPIBase   string `env:"PLACEMENTBOT_DISCORD_API_BASE" yaml:"discord_api_base"`
	HTTPListen       string `env:"PLACEMENTBOT_HTTP_LISTEN" yaml:"http_listen"`
	HTTPMaxConns     int    `env:"PLACEMENTBOT_HTTP_MAX_CONNECTIONS" yaml:"http_max_connections"`
	ShardID          int    `env:"PLACEMENTBOT_SHARD_ID" yaml:"shard_id"`
	ShardCount       int    `env:"PLACEMENTBOT_SHARD_COUNT" yaml:"shard_count"`

	DatabaseURL          string `env:"PLACEMENTBOT_DATABASE_URL" yaml:"database_url" secret:"true"`
	DBPoolSize           int    `env:"PLACEMENTBOT_DB_POOL_SIZE" yaml:"db_pool_size"`
	DBBackgroundPoolSize int    `env:"PLACEMENTBOT_DB_BACKGROUND_POOL_SIZE" yaml:"db_background_pool_size"`
	RedisAddrs           string `env:"PLACEMENTBOT_REDIS_ADDRS" yaml:"redis_addrs"`
	RedisMasterName      string `env:"PLACEMENTBOT_REDIS_MASTER_NAME" yaml:"redis_master_name"`
	RedisUsername        string `env:"PLACEMENTBOT_REDIS_USERNAME" yaml:"redis_username"`
	RedisPassword        string `env:"PLACEMENTBOT_REDIS_PASSWORD" yaml:"redis_password" secret:"true"`
	RedisDB              int    `env:"PLACEMENTBOT_REDIS_DB" yaml:"redis_db"`

	OpsListen string `env:"PLACEMENTBOT_OPS_LISTEN" yaml:"ops_listen"`
	LogLevel  string `env:"PLACEMENTBOT_LOG_LEVEL" yaml:"log_level"`
	LocalDir  string `env:"PLACEMENTBOT_LOCAL_DIR" yaml:"local_dir"`
}

// Transport is how interactions reach the bot.
type Transport string

// The three transports.
const (
	Gateway Transport = "gateway"
	HTTP    Transport = "http"
	Console Transport = "console"
)

// Error is a configuration error naming the setting and what is expected of it.
type Error struct {
	Setting  string
	Expected string
}

func (e *Error) Error() string { return "config: " + e.Setting + ": " + e.Expected }

// DefaultHTTPMaxConns is how many connections the interactions endpoint serves at once unless
// PLACEMENTBOT_HTTP_MAX_CONNECTIONS says otherwise.
const DefaultHTTPMaxConns = 512

func defaults() Config {
	return Config{
		DiscordAPIBase:       "https://discord.com/api/v10",
		ShardCount:           1,
		HTTPMaxConns:         DefaultHTTPMaxConns,
		DBPoolSize:           10,
		DBBackgroundPoolSize: 5,
		OpsListen:            ":9090",
		LogLevel:             "info",
	}
}

// LocalDataDir is where console mode keeps its local servers' data and its log: the
// configured folder, else ".local" — or /var/lib/placementbot as root, because Postgres runs as
// the postgres user, who cannot enter a checkout under /root.
func (c Config) LocalDataDir() string {
	switch {
	case c.LocalDir != "":
		return c.LocalDir
	case os.Geteuid() == 0:
		return "/var/lib/placementbot"
	}
	return ".local"
}

// Load reads the optional YAML file named by PLACEMENTBOT_CONFIG, then the environment, and
// validates the result. lookup is os.LookupEnv: a variable set to the empty string empties the
// setting (PLACEMENTBOT_OPS_LISTEN= turns the ops server off), an unset one keeps the default.
func Load(lookup func(string) (string, bool)) (Config, error) {
	c := defaults()
	if path, _ := lookup("PLACEMENTBOT_CONFIG"); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return c, &Error{"PLACEMENTBOT_CONFIG", fmt.Sprintf("a readable YAML file (%v)", errors.Unwrap(err))}
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) { // an empty file sets nothing
			return c, &Error{path, "valid YAML with only the documented keys: " + err.Error()}
		}
	}
	if err := c.fromEnv(lookup); err != nil {
		return c, err
	}
	return c, c.validate()
}

func (c *Config) fromEnv(lookup func(string) (string, bool)) error {
	v := reflect.ValueOf(c).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		name := t.Field(i).Tag.Get("env")
		raw, set := lookup(name)
		if !set {
			continue
		}
		raw = strings.TrimSpace(raw)
		switch f := v.Field(i); f.Kind() {
		case reflect.String:
			f.SetString(raw)
		case reflect.Int:
			if raw == "" {
				continue
			}
			n, err := strconv.Atoi(raw)
			if err != nil {
				return &Error{name, "a whole number, got " + strconv.Quote(raw)}
			}
			f.SetInt(int64(n))
		}
	}
	return nil
}

// Transport picks the transport from what is configured.
func (c Config) Transport() Transport {
	switch {
	case c.DiscordPublicKey != "" || c.HTTPListen != "":
		return HTTP
	case c.DiscordToken != "":
		return Gateway
	}
	return Console
}

func (c Config) validate() error {
	if c.DiscordPublicKey != "" || c.HTTPListen != "" {
		if c.DiscordPublicKey == "" {
			return &Error{"PLACEMENTBOT_DISCORD_PUBLIC_KEY", "the application's public key (64 hex characters) is required when PLACEMENTBOT_HTTP_LISTEN is set"}
		}
		if c.HTTPListen == "" {
			return &Error{"PLACEMENTBOT_HTTP_LISTEN", "a listen address such as :8080 is required when PLACEMENTBOT_DISCORD_PUBLIC_KEY is set"}
		}
		if k, err := hex.DecodeString(c.DiscordPublicKey); err != nil || len(k) != 32 {
			return &Error{"PLACEMENTBOT_DISCORD_PUBLIC_KEY", "64 hexadecimal characters (the application's public key from the developer portal)"}
		}
		if _, _, err := net.SplitHostPort(c.HTTPListen); err != nil {
			return &Error{"PLACEMENTBOT_HTTP_LISTEN", "host:port, such as :8080, got " + strconv.Quote(c.HTTPListen)}
		}
	}
	if c.HTTPMaxConns < 1 {
		return &Error{"PLACEMENTBOT_HTTP_MAX_CONNECTIONS", "a number of connections of at least 1, such as 512"}
	}
	if c.DiscordAppID != "" && !isDigits(c.DiscordAppID) {
		return &Error{"PLACEMENTBOT_DISCORD_APP_ID", "the numeric application id from the developer portal"}
	}
	if u, err := url.Parse(c.DiscordAPIBase); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &Error{"PLACEMENTBOT_DISCORD_API_BASE", "an absolute http(s) URL such as https://discord.com/api/v10"}
	}
	if c.ShardCount < 1 || c.ShardID < 0 || c.ShardID >= c.ShardCount {
		return &Error{"PLACEMENTBOT_SHARD_ID", fmt.Sprintf("a shard id from 0 to PLACEMENTBOT_SHARD_COUNT-1 (count %d)", c.ShardCount)}
	}
	if c.DatabaseURL != "" {
		if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return &Error{"PLACEMENTBOT_DATABASE_URL", "a URL starting with postgres:// (the value is not shown because it may hold a password)"}
		}
	}
	if c.DBPoolSize < 1 {
		return &Error{"PLACEMENTBOT_DB_POOL_SIZE", "a number of database connections of at least 1, such as 10"}
	}
	if c.DBBackgroundPoolSize < 2 {
		// River keeps one connection listening for new jobs; the work needs at least one more.
		return &Error{"PLACEMENTBOT_DB_BACKGROUND_POOL_SIZE", "a number of database connections of at least 2, such as 5"}
	}
	if c.RedisDB < 0 || c.RedisDB > 15 {
		return &Error{"PLACEMENTBOT_REDIS_DB", "a database number from 0 to 15"}
	}
	if c.OpsListen != "" {
		if _, _, err := net.SplitHostPort(c.OpsListen); err != nil {
			return &Error{"PLACEMENTBOT_OPS_LISTEN", "host:port such as :9090, or empty to turn the ops server off"}
		}
	}
	if _, err := c.SlogLevel(); err != nil {
		return &Error{"PLACEMENTBOT_LOG_LEVEL", "one of debug, info, warn, error"}
	}
	return nil
}

// CheckStores refuses to serve Discord without a database and Redis: only the console may
// start local ones. (Subcommands such as register-commands need neither.)
func (c Config) CheckStores(t Transport) error {
	if t == Console {
		return nil
	}
	if c.DatabaseURL == "" {
		return &Error{"PLACEMENTBOT_DATABASE_URL", "a Postgres URL (postgres://user:pass@host/db) is required with a Discord transport"}
	}
	if c.RedisAddrs == "" {
		return &Error{"PLACEMENTBOT_REDIS_ADDRS", "one or more Redis addresses (host:port, comma-separated) are required with a Discord transport"}
	}
	return nil
}

// RedisAddrList splits the comma-separated Redis addresses.
func (c Config) RedisAddrList() []string {
	var out []string
	for _, a := range strings.Split(c.RedisAddrs, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// SlogLevel parses the log level.
func (c Config) SlogLevel() (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(c.LogLevel))
	return l, err
}

// LogValue shows the settings with secrets masked, so logging a Config never leaks them.
func (c Config) LogValue() slog.Value {
	v := reflect.ValueOf(c)
	t := v.Type()
	var attrs []slog.Attr
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		val := fmt.Sprint(v.Field(i).Interface())
		if f.Tag.Get("secret") == "true" && val != "" {
			val = "[set]"
		}
		attrs = append(attrs, slog.String(f.Tag.Get("yaml"), val))
	}
	return slog.GroupValue(attrs...)
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// settingKeys lists every setting's YAML key.
func settingKeys() []string {
	t := reflect.TypeOf(Config{})
	keys := make([]string, t.NumField())
	for i := range keys {
		keys[i] = t.Field(i).Tag.Get("yaml")
	}
	return keys
}
