package config

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestLoadPicksTransport(t *testing.T) {
	key := strings.Repeat("ab", 32)
	tests := []struct {
		name string
		env  map[string]string
		want Transport
	}{
		{"nothing configured", nil, Console},
		{"token", map[string]string{"PLACEMENTBOT_DISCORD_TOKEN": "x", "PLACEMENTBOT_DATABASE_URL": "postgres://h/db", "PLACEMENTBOT_REDIS_ADDRS": "h:6379"}, Gateway},
		{"public key and listen", map[string]string{"PLACEMENTBOT_DISCORD_PUBLIC_KEY": key, "PLACEMENTBOT_HTTP_LISTEN": ":8080", "PLACEMENTBOT_DATABASE_URL": "postgres://h/db", "PLACEMENTBOT_REDIS_ADDRS": "h:6379"}, HTTP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(env(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if c.Transport() != tt.want {
				t.Fatalf("transport %s, want %s", c.Transport(), tt.want)
			}
		})
	}
}

func TestLoadRefusesBadSettingsNamingThem(t *testing.T) {
	base := map[string]string{"PLACEMENTBOT_DATABASE_URL": "postgres://h/db", "PLACEMENTBOT_REDIS_ADDRS": "h:6379"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		env     map[string]string
		setting string
	}{
		{with("PLACEMENTBOT_HTTP_LISTEN", ":8080"), "PLACEMENTBOT_DISCORD_PUBLIC_KEY"},
		{with("PLACEMENTBOT_DISCORD_PUBLIC_KEY", "zz", "PLACEMENTBOT_HTTP_LISTEN", ":8080"), "PLACEMENTBOT_DISCORD_PUBLIC_KEY"},
		{with("PLACEMENTBOT_DISCORD_PUBLIC_KEY", strings.Repeat("ab", 32)), "PLACEMENTBOT_HTTP_LISTEN"},
		{map[string]string{"PLACEMENTBOT_DISCORD_TOKEN": "x", "PLACEMENTBOT_REDIS_ADDRS": "h:1"}, "PLACEMENTBOT_DATABASE_URL"},
		{map[string]string{"PLACEMENTBOT_DISCORD_TOKEN": "x", "PLACEMENTBOT_DATABASE_URL": "postgres://h/db"}, "PLACEMENTBOT_REDIS_ADDRS"},
		{with("PLACEMENTBOT_DISCORD_TOKEN", "x", "PLACEMENTBOT_DATABASE_URL", "mysql://u:secretpw@h/db"), "PLACEMENTBOT_DATABASE_URL"},
		{with("PLACEMENTBOT_SHARD_COUNT", "two"), "PLACEMENTBOT_SHARD_COUNT"},
		{with("PLACEMENTBOT_SHARD_ID", "2", "PLACEMENTBOT_SHARD_COUNT", "2"), "PLACEMENTBOT_SHARD_ID"},
		{with("PLACEMENTBOT_DISCORD_API_BASE", "discord.com"), "PLACEMENTBOT_DISCORD_API_BASE"},
		{with("PLACEMENTBOT_LOG_LEVEL", "loud"), "PLACEMENTBOT_LOG_LEVEL"},
		{with("PLACEMENTBOT_OPS_LISTEN", "9090"), "PLACEMENTBOT_OPS_LISTEN"},
		{with("PLACEMENTBOT_DISCORD_APP_ID", "abc"), "PLACEMENTBOT_DISCORD_APP_ID"},
		{with("PLACEMENTBOT_DB_POOL_SIZE", "0"), "PLACEMENTBOT_DB_POOL_SIZE"},
		{with("PLACEMENTBOT_DB_BACKGROUND_POOL_SIZE", "1"), "PLACEMENTBOT_DB_BACKGROUND_POOL_SIZE"},
	}
	for _, tt := range tests {
		c, err := Load(env(tt.env))
		if err == nil {
			err = c.CheckStores(c.Transport())
		}
		if err == nil {
			t.Errorf("%v: no error, want one naming %s", tt.env, tt.setting)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "config: "+tt.setting+": ") || strings.Contains(msg, "\n") {
			t.Errorf("error %q: want one line naming %s", msg, tt.setting)
		}
		if strings.Contains(msg, "secretpw") {
			t.Errorf("error %q leaks a secret", msg)
		}
	}
}

func TestLoadReadsYAMLAndEnvWins(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bot.yaml")
	if err := os.WriteFile(path, []byte("log_level: debug\nops_listen: 127.0.0.1:9999\nredis_db: 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(env(map[string]string{"PLACEMENTBOT_CONFIG": path, "PLACEMENTBOT_LOG_LEVEL": "warn"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.LogLevel != "warn" || c.OpsListen != "127.0.0.1:9999" || c.RedisDB != 3 {
		t.Fatalf("got %+v", c)
	}
	if err := os.WriteFile(path, []byte("log_levle: debug\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(env(map[string]string{"PLACEMENTBOT_CONFIG": path})); err == nil || !strings.Contains(err.Error(), "log_levle") {
		t.Fatalf("unknown key: got %v", err)
	}
}

func TestExampleFileDocumentsEverySetting(t *testing.T) {
	data, err := os.ReadFile("../../config/placementbot.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(env(map[string]string{"PLACEMENTBOT_CONFIG": "../../config/placementbot.example.yaml"})); err != nil {
		t.Fatalf("example file does not load: %v", err)
	}
	for _, key := range settingKeys() {
		if !strings.Contains(string(data), key+":") || !strings.Contains(string(data), "PLACEMENTBOT_"+strings.ToUpper(key)) {
			t.Errorf("example file does not document %s (yaml key and env variable)", key)
		}
	}
}

func TestEmptyVariableEmptiesTheSetting(t *testing.T) {
	c, err := Load(env(map[string]string{"PLACEMENTBOT_OPS_LISTEN": ""}))
	if err != nil || c.OpsListen != "" {
		t.Fatalf("PLACEMENTBOT_OPS_LISTEN= should turn the ops server off: %q %v", c.OpsListen, err)
	}
	if c, _ := Load(env(nil)); c.OpsListen != ":9090" {
		t.Fatalf("unset keeps the default: %q", c.OpsListen)
	}
}

func TestLogValueMasksSecrets(t *testing.T) {
	c := defaults()
	c.DiscordToken, c.DatabaseURL, c.RedisPassword = "tok-123", "postgres://u:pw-456@h/db", "pw-789"
	var b strings.Builder
	slog.New(slog.NewJSONHandler(&b, nil)).Info("config", "config", c)
	for _, s := range []string{"tok-123", "pw-456", "pw-789"} {
		if strings.Contains(b.String(), s) {
			t.Errorf("log line leaks %q: %s", s, b.String())
		}
	}
	if !strings.Contains(b.String(), `"discord_token":"[set]"`) {
		t.Errorf("log line does not show that the token is set: %s", b.String())
	}
}
