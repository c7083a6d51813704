// Command placementbot runs the internship placement bot.
//
//	placementbot [run]                       run with the transport the configuration picks
//	placementbot console                     run the console on the local demo school
//	placementbot migrate up|down|status      manage the database schema
//	placementbot register-commands [-guild ID]  register slash commands (one guild, or globally)
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	// The school's time zone is read by name; a distroless image has no zone database.
	_ "time/tzdata"

	"placementbot/internal/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		var ce *config.Error
		if errors.As(err, &ce) {
			fmt.Fprintln(os.Stderr, ce.Error())
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "placementbot:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	cmd := "run"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run", "console":
		cfg, err := config.Load(os.LookupEnv)
		if err != nil {
			return err
		}
		transport := cfg.Transport()
		if cmd == "console" {
			transport = config.Console
		}
		if err := cfg.CheckStores(transport); err != nil {
			return err
		}
		return serve(ctx, cfg, transport)
	case "migrate":
		return migrateCmd(ctx, args)
	case "register-commands":
		return registerCmd(ctx, args)
	case "help", "-h", "--help":
		fmt.Println(usage)
		return nil
	}
	return fmt.Errorf("unknown subcommand %q\n%s", cmd, usage)
}

const usage = `usage:
  placementbot [run]                          run with the transport the configuration picks
  placementbot console                        run the console (local demo school if no database is configured)
  placementbot migrate up|down|status         apply all, roll back one, or show migrations
  placementbot register-commands [-guild ID]  register slash commands in one guild, or globally`
