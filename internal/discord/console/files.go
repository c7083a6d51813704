package console

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// attachment is a file sent with a message, as the console keeps it.
type attachment struct {
	id    string
	name  string
	size  int
	saved string // where the file was written, "" when the console keeps no files
}

// readFiles takes in the files of a response, writing each to FilesDir when one is set.
func (c *Console) readFiles(files []*discordgo.File) ([]attachment, error) {
	var out []attachment
	for _, f := range files {
		data, err := io.ReadAll(f.Reader)
		if err != nil {
			return nil, fmt.Errorf("file %s can't be read: %w", f.Name, err)
		}
		a := attachment{id: c.ids.next(), name: f.Name, size: len(data)}
		if c.FilesDir != "" {
			// The id keeps files of the same name from different messages apart.
			a.saved = filepath.Join(c.FilesDir, a.id+"-"+filepath.Base(f.Name))
			if err := os.WriteFile(a.saved, data, 0o644); err != nil {
				return nil, fmt.Errorf("file %s can't be saved: %w", f.Name, err)
			}
		}
		out = append(out, a)
	}
	return out, nil
}

// attach applies a payload's files to a message: a new message has just them; an edit adds
// them, and one that lists attachments, or brings files (the REST transport then lists them),
// keeps only the earlier files it names, as Discord does.
func (m *message) attach(fresh, listed bool, keep []*discordgo.MessageAttachment, files []attachment) {
	if fresh {
		m.files = files
		return
	}
	if listed || len(files) > 0 {
		var kept []attachment
		for _, f := range m.files {
			for _, k := range keep {
				if k != nil && k.ID == f.id {
					kept = append(kept, f)
				}
			}
		}
		m.files = kept
	}
	m.files = append(m.files, files...)
}

// renderFiles writes one line per attachment, saying which an embed shows.
func renderFiles(b *strings.Builder, m *message) {
	for _, f := range m.files {
		line := "  📎 " + f.name + " (" + sizeText(f.size) + ")"
		if shownInEmbed(m.embeds, f.name) {
			line += ", shown in the embed"
		}
		if f.saved != "" {
			line += ", saved as " + f.saved
		}
		b.WriteString(line + "\n")
	}
}

// shownInEmbed reports whether an embed displays the file through attachment://name.
func shownInEmbed(embeds []*discordgo.MessageEmbed, name string) bool {
	ref := "attachment://" + name
	for _, e := range embeds {
		if (e.Image != nil && e.Image.URL == ref) || (e.Thumbnail != nil && e.Thumbnail.URL == ref) ||
			(e.Author != nil && e.Author.IconURL == ref) || (e.Footer != nil && e.Footer.IconURL == ref) {
			return true
		}
	}
	return false
}

// imageText names an embed image: the attached file for attachment://name, else the URL.
func imageText(url string) string {
	if name, ok := strings.CutPrefix(url, "attachment://"); ok {
		return "📎 " + name
	}
	return url
}

// sizeText is a file size as Discord shows it: bytes, then KB and MB with one decimal.
func sizeText(n int) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}
