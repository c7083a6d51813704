package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"placementbot/internal/testenv"
	"placementbot/internal/testenv/fakediscord"
)

// buildBinary builds the bot once for the tests that run it as a person would.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "placementbot")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// reachableDir is a temp folder the postgres user can enter when the tests run as root.
func reachableDir(t *testing.T) string {
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PLACEMENTBOT_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// With nothing configured the bot starts local Postgres and Redis, loads the demo school and
// runs the console; the example script plays through it, twice, and the second run keeps what
// the first one changed.
func TestConsoleOnLocalDemoSchool(t *testing.T) {
	bin := buildBinary(t)
	dir := reachableDir(t)
	script, err := os.ReadFile("../../examples/setup.console")
	if err != nil {
		t.Fatal(err)
	}
	run := func() string {
		cmd := exec.Command(bin)
		cmd.Env = cleanEnv("PLACEMENTBOT_LOCAL_DIR="+dir, "PLACEMENTBOT_OPS_LISTEN=127.0.0.1:0")
		cmd.Stdin = bytes.NewReader(script)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("bot exited with %v:\n%s", err, out.String())
		}
		return out.String()
	}
	out := run()
	for _, want := range []string{
		"> as coordinator", "You are now carol",
		"Placement setup", "Coordinators: @Coordinator", "Announcements channel: #placements",
		"Saved. This is the setup now:", "Students: @Alumni", "Digest channel: #general",
		"> press 2", "Digest channel: not set",
		"> as student bo", "Only coordinators can do this",
		"You have none of this school's placement roles yet", // bo holds @Student, no longer the student role
		"> as mentor alice", "You are here as: **mentor**",
		"你在这里的身份：**企业导师**",
		"> as owner", "You are here as: **coordinator**", "`/setup roles`",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("console output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
	if logs, err := os.ReadFile(filepath.Join(dir, "placementbot.log")); err != nil || !bytes.Contains(logs, []byte(`"route":"/setup/roles"`)) {
		t.Errorf("log file: %v %s", err, logs)
	}
	if out := run(); !strings.Contains(out, "Students: @Student") {
		t.Errorf("second run does not start from the first run's setup:\n%s", out)
	}
}

// The story script plays the whole loop through the console; each step's result shows in order.
func TestConsoleStory(t *testing.T) {
	bin := buildBinary(t)
	script, err := os.ReadFile("../../examples/story.console")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "console")
	cmd.Env = cleanEnv("PLACEMENTBOT_LOCAL_DIR="+reachableDir(t), "PLACEMENTBOT_OPS_LISTEN=")
	cmd.Stdin = bytes.NewReader(script)
	outb, err := cmd.CombinedOutput()
	out := string(outb)
	if err != nil {
		t.Fatalf("bot exited with %v:\n%s", err, out)
	}
	steps := []string{
		"Added **Riverside Motors**",
		"Linked @mo to **Riverside Motors**",
		"DM to @mo:", "You are now a mentor for **Riverside Motors**",
		"Published as position",
		"PlacementBot in #placements:", "New position: **EV service technician intern** at **Riverside Motors**",
		"Saved. Mentors of positions you apply to see this card.",
		"1. EV service technician intern: Riverside Motors",
		"Slots left: 2 of 2",
		"Your application to **EV service technician intern** at **Riverside Motors** is in",
		"DM to @mo:", "New application: @bo applied to **EV service technician intern**",
		"Offer sent.",
		"DM to @bo:", "you have an offer for **EV service technician intern**",
		"[1 Accept #1] [2 Decline #1]",
		"accepted",
		"DM to @mo:",
		"Approval queue — 1 waiting",
		"Checklist still lacks: Three-party agreement signed, Guardian consent, Insurance",
		"[3 Checklist #1]",
		"✅ Ticked: Three-party agreement signed.",
		"✅ Ticked: Insurance.",
		"All done: this offer can be approved.",
		"created for @bo at **Riverside Motors** (EV service technician intern). Enterprise mentor: @mo.",
		"Pick the school supervisor of placement",
		"DM to @bo:", "Your placement at Riverside Motors (**EV service technician intern**) is approved",
		"DM to @mo:", "The placement of @bo in **EV service technician intern**",
		"@carol is now the school supervisor of @bo at **Riverside Motors**",
		"DM to @carol:", "You are now the school supervisor of @bo",
		"DM to @mo:", "@carol is the school supervisor of @bo",
		"Active placements (1)",
		"Enterprise mentor: @mo",
		"School supervisor: @carol",
		"[1 Supervisor #1]",
		// The round.
		"Published as position",
		"Round **Spring round**", "2 positions with 2 places",
		"Saved: 2 entries ranked", "**1.** Battery workshop intern",
		"Saved: 1 entry ranked",
		"Saved: 2 entries ranked", "Saved: 1 entry ranked",
		"Provisional match of Spring round", "(1 Publish (after the deadline))",
		"The bot's clock now reads 2027-01-21",
		"Match of Spring round", "[1 Publish]",
		"will make 2 offers", "tell 0 students",
		"**Spring round** is published: 2 offers made",
		"DM to @wei:", "you were matched to **EV service technician intern**",
		"DM to @mo:", "was matched with 1 student",
		"You got your 2nd choice: **EV service technician intern**",
		"1st choice, Battery workshop intern — Riverside Motors: its places went to students its mentor ranked above you",
	}
	rest := out
	for _, want := range steps {
		i := strings.Index(rest, want)
		if i < 0 {
			t.Fatalf("story output lacks %q after the earlier steps:\n%s", want, out)
		}
		rest = rest[i+len(want):]
	}
	if strings.Contains(out, "Something went wrong") || strings.Contains(out, "didn't answer") {
		t.Fatalf("story hit an error:\n%s", out)
	}
}

func TestBadSettingStopsWithOneLine(t *testing.T) {
	bin := buildBinary(t)
	cmd := exec.Command(bin)
	cmd.Env = cleanEnv("PLACEMENTBOT_HTTP_LISTEN=:8080", "PLACEMENTBOT_DISCORD_PUBLIC_KEY=nothex", "PLACEMENTBOT_DISCORD_TOKEN=secret-token-value")
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); err == nil || code != 2 {
		t.Fatalf("exit %d, err %v", code, err)
	}
	if lines := strings.Split(strings.TrimSpace(string(out)), "\n"); len(lines) != 1 ||
		!strings.HasPrefix(lines[0], "config: PLACEMENTBOT_DISCORD_PUBLIC_KEY: ") {
		t.Fatalf("output %q", out)
	}
	if strings.Contains(string(out), "secret-token-value") {
		t.Fatal("secret in output")
	}
}

func TestMain(m *testing.M) { testenv.Main(m) }

func TestMigrateSubcommand(t *testing.T) {
	bin := buildBinary(t)
	url := testenv.NewEmptyDatabase(t)
	migrate := func(arg string) string {
		cmd := exec.Command(bin, "migrate", arg)
		cmd.Env = cleanEnv("PLACEMENTBOT_DATABASE_URL=" + url)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("migrate %s: %v\n%s", arg, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	latest := len(mustGlob(t, "../../migrations/*.sql"))
	if got, want := migrate("status"), fmt.Sprintf("schema version 0 of %d", latest); got != want {
		t.Errorf("status: %q, want %q", got, want)
	}
	if got, want := migrate("up"), fmt.Sprintf("schema version %d of %d", latest, latest); got != want {
		t.Errorf("up: %q, want %q", got, want)
	}
	if got, want := migrate("down"), fmt.Sprintf("schema version %d of %d", latest-1, latest); got != want {
		t.Errorf("down: %q, want %q", got, want)
	}
}

func mustGlob(t *testing.T, pattern string) []string {
	m, err := filepath.Glob(pattern)
	if err != nil || len(m) == 0 {
		t.Fatalf("glob %s: %v", pattern, err)
	}
	return m
}

// register-commands sends the whole command surface, with localizations, through the
// configured REST base URL; the strict fake Discord validates it.
func TestRegisterCommands(t *testing.T) {
	bin := buildBinary(t)
	fake := fakediscord.New(t)
	for _, tc := range []struct {
		args        []string
		route, want string
	}{
		{[]string{"-guild", "900000000000000001"}, "/applications/{application_id}/guilds/{guild_id}/commands", "in guild 900000000000000001"},
		{nil, "/applications/{application_id}/commands", "globally"},
	} {
		cmd := exec.Command(bin, append([]string{"register-commands"}, tc.args...)...)
		cmd.Env = cleanEnv("PLACEMENTBOT_DISCORD_TOKEN=test-token", "PLACEMENTBOT_DISCORD_APP_ID="+fakediscord.ApplicationID,
			"PLACEMENTBOT_DISCORD_API_BASE="+fake.URL())
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), tc.want) {
			t.Fatalf("register-commands %v: %v\n%s", tc.args, err, out)
		}
		calls := fake.CallsTo("PUT", tc.route)
		if len(calls) != 1 {
			t.Fatalf("%d PUT %s calls", len(calls), tc.route)
		}
		var cmds []struct {
			Name              string            `json:"name"`
			NameLocalizations map[string]string `json:"name_localizations"`
		}
		if err := calls[0].Decode(&cmds); err != nil {
			t.Fatal(err)
		}
		if len(cmds) < 2 || cmds[0].Name != "help" || cmds[0].NameLocalizations["zh-CN"] != "帮助" {
			t.Fatalf("registered %+v", cmds)
		}
	}
}
