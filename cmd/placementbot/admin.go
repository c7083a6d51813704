package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/config"
	"placementbot/internal/discord"
	"placementbot/internal/discord/features"
	"placementbot/internal/i18n"
	"placementbot/internal/jobs"
	"placementbot/internal/postgres"
)

// migrateCmd applies, rolls back or reports migrations on the configured database.
func migrateCmd(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: placementbot migrate up|down|status")
	}
	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return &config.Error{Setting: "PLACEMENTBOT_DATABASE_URL", Expected: "a Postgres URL to migrate"}
	}
	switch args[0] {
	case "up":
		err = migrateAll(ctx, cfg.DatabaseURL)
	case "down":
		err = postgres.MigrateDown(ctx, cfg.DatabaseURL)
	case "status":
	default:
		return fmt.Errorf("usage: placementbot migrate up|down|status")
	}
	if err != nil {
		return err
	}
	cur, latest, err := postgres.MigrationStatus(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	fmt.Printf("schema version %d of %d\n", cur, latest)
	return nil
}

// migrateAll applies the schema's migrations, then the job queue's own tables.
func migrateAll(ctx context.Context, url string) error {
	if err := postgres.MigrateUp(ctx, url); err != nil {
		return err
	}
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	return jobs.Migrate(ctx, pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// registerCmd bulk-overwrites the slash commands of one guild (instant, for development) or
// globally (for production).
func registerCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("register-commands", flag.ContinueOnError)
	guild := fs.String("guild", "", "register in this guild only (development); empty registers globally")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		return err
	}
	if cfg.DiscordToken == "" {
		return &config.Error{Setting: "PLACEMENTBOT_DISCORD_TOKEN", Expected: "the bot token, to register commands"}
	}
	if cfg.DiscordAppID == "" {
		return &config.Error{Setting: "PLACEMENTBOT_DISCORD_APP_ID", Expected: "the application id, to register commands"}
	}
	catalog, err := i18n.Load()
	if err != nil {
		return err
	}
	s, err := newSession(cfg)
	if err != nil {
		return err
	}
	cmds, err := s.ApplicationCommandBulkOverwrite(cfg.DiscordAppID, *guild, discord.ApplicationCommands(catalog, features.All(discord.Deps{})), discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("register commands: %w", err)
	}
	where := "globally (may take up to an hour to appear)"
	if *guild != "" {
		where = "in guild " + *guild
	}
	fmt.Printf("registered %d commands %s\n", len(cmds), where)
	return nil
}
