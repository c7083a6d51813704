package postgres_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The store is the domain's persistence and nothing else: it must not link the Discord client,
// the metrics library or the message catalog, directly or through a package it imports (as it
// once did through the outbox's types).
func TestStoreLinksNoDiscordCode(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the package's dependencies: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", "placementbot/internal/postgres").Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list: %v\n%s", err, stderr)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "placementbot/internal/placement") {
		t.Fatalf("go list listed no domain package; output:\n%s", out)
	}
	for _, dep := range deps {
		for _, banned := range []string{"github.com/bwmarrin/discordgo", "github.com/prometheus/client_golang", "placementbot/internal/i18n",
			"placementbot/internal/outbox", "placementbot/internal/discord"} {
			if dep == banned || strings.HasPrefix(dep, banned+"/") {
				t.Errorf("internal/postgres depends on %s", dep)
			}
		}
	}
}
