package gateway

import "github.com/bwmarrin/discordgo"

// discordgo v0.29.0 connects to gateway v9; the bot speaks v10 everywhere (REST is rewritten
// to v10 by the restbase transport), so the gateway version is raised to match.
func init() { discordgo.APIVersion = "10" }
