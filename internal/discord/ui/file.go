package ui

import (
	"bytes"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/placement"
)

// File is an attachment for a reply, its name made plain ASCII (placement.FileName) so that
// Discord keeps it and an embed's "attachment://" reference still names it.
func File(name, contentType string, data []byte) *discordgo.File {
	return &discordgo.File{Name: placement.FileName(name), ContentType: contentType, Reader: bytes.NewReader(data)}
}
