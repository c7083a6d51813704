package fakediscord

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Discord's rules for files, which arrive as multipart/form-data: the JSON fields in a
// payload_json part and each file in a part named files[n]. Real Discord refuses (or silently
// mangles) what these rules reject.

const (
	// MaxFileSize is the largest file Discord takes from a bot by default, in bytes.
	MaxFileSize = 10 << 20
	// maxFiles is how many files one message may carry.
	maxFiles = 10
	// attachmentScheme is how an embed points at a file sent with its message.
	attachmentScheme = "attachment://"
)

// embedImageTypes are the file extensions an embed can show through attachment://name.
var embedImageTypes = []string{".png", ".jpg", ".jpeg", ".webp", ".gif"}

// filePart is the form field name of a file: files[n], n a decimal index.
var filePart = regexp.MustCompile(`^files\[(0|[1-9][0-9]*)\]$`)

// File is one file part of a multipart request, as the bot sent it.
type File struct {
	// Field is the form field, e.g. "files[0]"; Index is its n.
	Field string
	Index int
	// Name is the part's filename; the message shows it unless the attachment entry renames it.
	Name        string
	ContentType string
	Data        []byte
}

// readMultipart splits a multipart body into its payload_json part and its file parts. err is
// a body Discord could not parse at all; issues are parts it refuses.
func readMultipart(raw []byte, boundary string) (payload []byte, files []File, issues []issue, err error) {
	if boundary == "" {
		return nil, nil, nil, fmt.Errorf("multipart body without a boundary")
	}
	add := func(field, format string, args ...any) {
		s := fmt.Sprintf(format, args...)
		issues = append(issues, issue{loc: []string{field}, msg: s, code: "FILE_INVALID", text: s})
	}
	seen := map[int]bool{}
	mr := multipart.NewReader(bytes.NewReader(raw), boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, nil, fmt.Errorf("malformed multipart body: %w", err)
		}
		b, err := io.ReadAll(part)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("malformed multipart body: %w", err)
		}
		disp, params, err := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
		if err != nil || disp != "form-data" {
			return nil, nil, nil, fmt.Errorf("multipart part with Content-Disposition %q, want form-data with a name", part.Header.Get("Content-Disposition"))
		}
		field := params["name"]
		if field == "payload_json" {
			if payload != nil {
				add(field, "the body has two payload_json parts")
			}
			payload = b
			continue
		}
		m := filePart.FindStringSubmatch(field)
		if m == nil {
			add(field, "form field %q is neither payload_json nor a file part files[n]", field)
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if seen[n] {
			add(field, "two file parts are named %s", field)
		}
		seen[n] = true
		f := File{Field: field, Index: n, Name: params["filename"], ContentType: part.Header.Get("Content-Type"), Data: b}
		files = append(files, f)
		switch {
		case f.Name == "":
			add(field, "file part %s has no filename in its Content-Disposition", field)
		case !asciiName(f.Name):
			add(field, "file name %q has characters outside printable ASCII: Discord drops them, so the member sees another name and attachment:// references break", f.Name)
		}
		if len(f.Data) > MaxFileSize {
			add(field, "file %s (%s) has %d bytes, Discord takes at most %d (10 MiB) from a bot", field, f.Name, len(f.Data), MaxFileSize)
		}
	}
	if payload == nil {
		return nil, nil, nil, fmt.Errorf("multipart body has no payload_json part: discordgo always sends the JSON fields there")
	}
	if len(files) > maxFiles {
		add("files", "the body has %d files, Discord allows %d on one message", len(files), maxFiles)
	}
	return payload, files, issues, nil
}

// checkFiles ties the files of a request to its message: the message's attachments list has
// one entry per file part, with id n for files[n]; on an edit, other entries must be
// attachments the message already has (they are kept). Discord itself takes a new message's
// files without entries, but on an edit it keeps only the attachments the list names, so the
// bot always lists them and this fake holds every request to that. Every attachment://name in
// an embed must name a file of the message, and only an image can be shown that way. kept are
// the attachments of the message being edited, when the fake knows it.
func checkFiles(m messageRequest, files []File, kept []any) []issue {
	var out []issue
	at := func(tail ...string) []string {
		return append(append([]string(nil), m.loc...), tail...)
	}
	add := func(loc []string, format string, args ...any) {
		s := fmt.Sprintf(format, args...)
		out = append(out, issue{loc: loc, msg: s, code: "ATTACHMENT_INVALID", text: s})
	}
	if m.msg == nil {
		if len(files) > 0 {
			add(nil, "%d file part(s) sent with a request that carries no message", len(files))
		}
		return out
	}
	if m.modal {
		if len(files) > 0 {
			add(nil, "a modal cannot carry files")
		}
		return out
	}

	byIndex := map[string]File{}
	for _, f := range files {
		byIndex[strconv.Itoa(f.Index)] = f
	}
	keptNames := map[string]string{} // attachment id → filename, of the edited message
	if !m.create {
		for _, a := range kept {
			am, _ := a.(map[string]any)
			id, _ := am["id"].(string)
			name, _ := am["filename"].(string)
			keptNames[id] = name
		}
	}

	names := map[string]bool{} // file names the message will have, for attachment:// references
	listed := map[string]bool{}
	renamed := map[string]string{} // file index → filename its entry gives it
	var strays []string            // ids of entries that match no file part and no kept attachment
	var strayLocs [][]string
	entries, _ := m.msg["attachments"].([]any)
	for i, e := range entries {
		em, _ := e.(map[string]any)
		id, _ := em["id"].(string)
		loc := at("attachments", strconv.Itoa(i), "id")
		f, isFile := byIndex[id]
		switch {
		case isFile && listed[id]:
			add(loc, "attachments[%d] lists %s a second time", i, f.Field)
		case isFile:
			listed[id] = true
			if fn, _ := em["filename"].(string); fn != "" {
				renamed[id] = fn
				if !asciiName(fn) && fn != f.Name { // a bad part name is reported once, with the part
					add(at("attachments", strconv.Itoa(i), "filename"), "attachment filename %q has characters outside printable ASCII: Discord drops them", fn)
				}
			}
		default:
			if name, ok := keptNames[id]; ok {
				names[name] = true
				continue
			}
			strays = append(strays, id)
			strayLocs = append(strayLocs, loc)
		}
	}
	var unlisted []string
	for _, f := range files {
		n := strconv.Itoa(f.Index)
		if !listed[n] {
			unlisted = append(unlisted, fmt.Sprintf("%s (%s)", f.Field, f.Name))
		}
		if fn, ok := renamed[n]; ok {
			names[fn] = true
		} else {
			names[f.Name] = true
		}
	}
	switch {
	case len(strays) > 0 && len(unlisted) > 0:
		add(at("attachments"), "attachment ids %q do not match the file parts %s: the entry for files[n] has id \"n\"", strays, strings.Join(unlisted, ", "))
	case len(strays) > 0:
		for i, id := range strays {
			what := "no file part files[" + id + "] came with the request"
			if !m.create {
				what += " and the edited message has no attachment with that id"
			}
			add(strayLocs[i], "attachment entry with id %q, but %s", id, what)
		}
	case len(unlisted) > 0:
		add(at("attachments"), "file part(s) %s have no entry in attachments: list each file as {\"id\": \"n\", \"filename\": name} for files[n] (discordgo does not fill attachments itself)", strings.Join(unlisted, ", "))
	}

	embeds, _ := m.msg["embeds"].([]any)
	for i, e := range embeds {
		em, _ := e.(map[string]any)
		for _, ref := range [][2]string{{"image", "url"}, {"thumbnail", "url"}, {"author", "icon_url"}, {"footer", "icon_url"}} {
			obj, _ := em[ref[0]].(map[string]any)
			u, _ := obj[ref[1]].(string)
			name, ok := strings.CutPrefix(u, attachmentScheme)
			if !ok {
				continue
			}
			loc := at("embeds", strconv.Itoa(i), ref[0], ref[1])
			switch {
			case !names[name]:
				add(loc, "embed %s %s is %q but the message has no file named %q", ref[0], ref[1], u, name)
			case !isEmbedImage(name):
				add(loc, "embed %s %s is %q: only png, jpg, jpeg, webp and gif files can be shown through attachment://", ref[0], ref[1], u)
			}
		}
	}
	return out
}

// attachmentsOf builds the attachment objects Discord answers with for a message's files,
// given the entries that name them (for renamed files) and the attachments it keeps.
func attachmentsOf(newID func() string, channelID string, entries []any, files []File, kept []any) []any {
	out := append([]any{}, kept...)
	rename := map[string]string{}
	for _, e := range entries {
		em, _ := e.(map[string]any)
		id, _ := em["id"].(string)
		if fn, _ := em["filename"].(string); fn != "" {
			rename[id] = fn
		}
	}
	for _, f := range files {
		name := f.Name
		if fn, ok := rename[strconv.Itoa(f.Index)]; ok {
			name = fn
		}
		id := newID()
		u := fmt.Sprintf("https://cdn.discordapp.com/attachments/%s/%s/%s", channelID, id, name)
		ct := f.ContentType
		if ct == "" || ct == "application/octet-stream" {
			ct = mime.TypeByExtension(path.Ext(name))
		}
		a := map[string]any{"id": id, "filename": name, "size": len(f.Data), "url": u, "proxy_url": strings.Replace(u, "cdn.discordapp.com", "media.discordapp.net", 1)}
		if ct != "" {
			a["content_type"] = ct
		}
		out = append(out, a)
	}
	return out
}

// keptAttachments are the attachments an edit leaves on a message: those its attachments list
// names, or all of them when the edit has no list.
func keptAttachments(current []any, edit map[string]any) []any {
	entries, listed := edit["attachments"].([]any)
	if !listed {
		return current
	}
	ids := map[string]bool{}
	for _, e := range entries {
		em, _ := e.(map[string]any)
		id, _ := em["id"].(string)
		ids[id] = true
	}
	var out []any
	for _, a := range current {
		am, _ := a.(map[string]any)
		if id, _ := am["id"].(string); ids[id] {
			out = append(out, a)
		}
	}
	return out
}

func asciiName(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func isEmbedImage(name string) bool {
	return slices.Contains(embedImageTypes, strings.ToLower(path.Ext(name)))
}
