package fakediscord

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// respond produces the answer to a valid call: a FailNext or SetResponse answer if one
// applies, else a plausible Discord answer that discordgo can unmarshal.
func (s *Server) respond(op *operation, call Call, body any) (int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.method == op.method && f.route == op.route {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
			return f.status, f.body
		}
	}
	if a, ok := s.canned[op.method+" "+op.route]; ok {
		return a.status, a.body
	}

	obj, _ := body.(map[string]any)
	p := call.Params
	switch op.method + " " + op.route {
	case "POST " + RouteInteractionCallback:
		return s.callbackLocked(call, obj)
	case "POST " + RouteWebhook:
		msg := s.storeMessageLocked("", ChannelID, obj, call.Files, true)
		if q := strings.ToLower(call.Query.Get("wait")); q == "true" || q == "1" {
			return http.StatusOK, marshal(msg)
		}
		return http.StatusNoContent, ""
	case "PATCH " + RouteOriginalMessage:
		return http.StatusOK, marshal(s.editMessageLocked("@original/"+p["webhook_token"], ChannelID, obj, call.Files))
	case "PATCH " + RouteWebhookMessage:
		return http.StatusOK, marshal(s.editMessageLocked(p["message_id"], ChannelID, obj, call.Files))
	case "GET " + RouteOriginalMessage:
		return http.StatusOK, marshal(s.editMessageLocked("@original/"+p["webhook_token"], ChannelID, nil, nil))
	case "GET " + RouteWebhookMessage:
		return http.StatusOK, marshal(s.editMessageLocked(p["message_id"], ChannelID, nil, nil))
	case "POST " + RouteChannelMessages:
		return http.StatusOK, marshal(s.storeMessageLocked("", p["channel_id"], obj, call.Files, false))
	case "PATCH " + RouteChannelMessage:
		return http.StatusOK, marshal(s.editMessageLocked(p["message_id"], p["channel_id"], obj, call.Files))
	case "GET " + RouteChannelMessage:
		return http.StatusOK, marshal(s.editMessageLocked(p["message_id"], p["channel_id"], nil, nil))
	case "POST " + RouteUserChannels:
		return http.StatusOK, marshal(s.dmChannelLocked(fmt.Sprint(obj["recipient_id"])))
	case "PUT " + RouteGlobalCommands:
		return http.StatusOK, marshal(s.overwriteCommandsLocked("global", body))
	case "PUT " + RouteGuildCommands:
		return http.StatusOK, marshal(s.overwriteCommandsLocked(p["guild_id"], body))
	case "GET " + RouteGlobalCommands:
		return http.StatusOK, marshal(nonNil(s.commands["global"]))
	case "GET " + RouteGuildCommands:
		return http.StatusOK, marshal(nonNil(s.commands[p["guild_id"]]))
	case "POST " + RouteGlobalCommands:
		return http.StatusOK, marshal(s.upsertCommandLocked("global", obj))
	case "POST " + RouteGuildCommands:
		return http.StatusOK, marshal(s.upsertCommandLocked(p["guild_id"], obj))
	case "GET " + RouteGateway:
		return http.StatusOK, marshal(map[string]any{"url": s.GatewayURL()})
	case "GET " + RouteGatewayBot:
		return http.StatusOK, marshal(map[string]any{
			"url":    s.GatewayURL(),
			"shards": 1,
			"session_start_limit": map[string]any{
				"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1,
			},
		})
	case "GET " + RouteCurrentUser:
		return http.StatusOK, marshal(botUser())
	case "GET " + RouteCurrentApplication:
		return http.StatusOK, marshal(map[string]any{
			"id": ApplicationID, "name": BotUsername, "description": "", "bot_public": false,
			"bot_require_code_grant": false, "verify_key": strings.Repeat("0", 64), "flags": 0, "bot": botUser(),
		})
	}
	// Any other operation in the description: the documented empty answer, else an empty
	// object or list so discordgo's unmarshalling succeeds.
	switch {
	case op.responses["204"] && !op.responses["200"]:
		return http.StatusNoContent, ""
	case op.okArray:
		return http.StatusOK, "[]"
	}
	return http.StatusOK, "{}"
}

// callbackLocked answers an interaction callback: 204, or 200 with the callback response
// when with_response is set. Message responses become the interaction's @original message.
func (s *Server) callbackLocked(call Call, obj map[string]any) (int, string) {
	typ, _ := integer(obj["type"])
	data, _ := obj["data"].(map[string]any)
	token := call.Params["interaction_token"]
	var msg map[string]any
	switch typ {
	case callbackMessage, 5:
		msg = s.newMessageLocked("", ChannelID, data, call.Files, true)
		if typ == 5 {
			// A deferred response shows "thinking" until the bot edits @original.
			msg["content"] = ""
			msg["flags"] = flagsOf(data) | 1<<7
		}
		s.messages["@original/"+token] = msg
		s.messages[msg["id"].(string)] = msg
	}
	if q := strings.ToLower(call.Query.Get("with_response")); q != "true" && q != "1" {
		return http.StatusNoContent, ""
	}
	resp := map[string]any{
		"interaction": map[string]any{
			"id":   call.Params["interaction_id"],
			"type": 2,
		},
	}
	resource := map[string]any{"type": typ}
	if msg != nil {
		resource["message"] = msg
		resp["interaction"].(map[string]any)["response_message_id"] = msg["id"]
		resp["interaction"].(map[string]any)["response_message_loading"] = typ == 5
		resp["interaction"].(map[string]any)["response_message_ephemeral"] = flagsOf(data)&(1<<6) != 0
	}
	resp["resource"] = resource
	return http.StatusOK, marshal(resp)
}

// storeMessageLocked creates a message from a request body and its files and remembers it by id.
func (s *Server) storeMessageLocked(key, channelID string, body map[string]any, files []File, webhook bool) map[string]any {
	msg := s.newMessageLocked("", channelID, body, files, webhook)
	s.messages[msg["id"].(string)] = msg
	if key != "" {
		s.messages[key] = msg
	}
	return msg
}

// editMessageLocked applies an edit (nil for a read) and its files to a known message, creating
// a stand-in when the fake never saw it (with the HTTP transport the first response is not a
// REST call).
func (s *Server) editMessageLocked(key, channelID string, edit map[string]any, files []File) map[string]any {
	msg, ok := s.messages[key]
	if !ok {
		msg = s.newMessageLocked(key, channelID, nil, nil, true)
		s.messages[key] = msg
		s.messages[msg["id"].(string)] = msg
	}
	for _, f := range []string{"content", "embeds", "components", "flags"} {
		if v, ok := edit[f]; ok && v != nil {
			msg[f] = v
		}
	}
	if edit != nil {
		current, _ := msg["attachments"].([]any)
		entries, _ := edit["attachments"].([]any)
		msg["attachments"] = attachmentsOf(s.newIDLocked, channelID, entries, files, keptAttachments(current, edit))
		msg["edited_timestamp"] = time.Now().UTC().Format(time.RFC3339Nano)
		if f, _ := integer(msg["flags"]); f&(1<<7) != 0 && edit["content"] != nil {
			msg["flags"] = f &^ (1 << 7) // the edit ends the "thinking" state of a deferred reply
		}
	}
	return msg
}

// newMessageLocked builds a message object echoing the sent fields and files.
func (s *Server) newMessageLocked(id, channelID string, body map[string]any, files []File, webhook bool) map[string]any {
	if id == "" || strings.HasPrefix(id, "@original/") {
		id = s.newIDLocked()
	}
	msg := map[string]any{
		"id":               id,
		"channel_id":       channelID,
		"type":             0,
		"content":          "",
		"embeds":           []any{},
		"components":       []any{},
		"attachments":      []any{},
		"mentions":         []any{},
		"mention_roles":    []any{},
		"mention_everyone": false,
		"pinned":           false,
		"tts":              false,
		"timestamp":        time.Now().UTC().Format(time.RFC3339Nano),
		"edited_timestamp": nil,
		"flags":            flagsOf(body),
		"author":           botUser(),
	}
	if webhook {
		msg["webhook_id"] = ApplicationID
		msg["application_id"] = ApplicationID
	}
	for _, f := range []string{"content", "embeds", "components"} {
		if v, ok := body[f]; ok && v != nil {
			msg[f] = v
		}
	}
	entries, _ := body["attachments"].([]any)
	msg["attachments"] = attachmentsOf(s.newIDLocked, channelID, entries, files, nil)
	return msg
}

// dmChannelLocked returns the DM channel with a user, the same one on every call as Discord does.
func (s *Server) dmChannelLocked(recipient string) map[string]any {
	id, ok := s.dmChannels[recipient]
	if !ok {
		id = s.newIDLocked()
		s.dmChannels[recipient] = id
	}
	return map[string]any{
		"id":              id,
		"type":            1,
		"last_message_id": nil,
		"flags":           0,
		"recipients": []any{map[string]any{
			"id": recipient, "username": "user" + recipient, "discriminator": "0", "global_name": nil, "avatar": nil,
		}},
	}
}

// overwriteCommandsLocked replaces a scope's commands and echoes them with ids, keeping the id
// of a command that keeps its name and type, as Discord does.
func (s *Server) overwriteCommandsLocked(scope string, body any) []any {
	list, _ := body.([]any)
	out := make([]any, 0, len(list))
	for _, c := range list {
		obj, _ := c.(map[string]any)
		out = append(out, s.commandLocked(scope, obj))
	}
	s.commands[scope] = out
	return out
}

// upsertCommandLocked creates or replaces one command by name and type.
func (s *Server) upsertCommandLocked(scope string, obj map[string]any) map[string]any {
	cmd := s.commandLocked(scope, obj)
	list := s.commands[scope]
	for i, c := range list {
		if c.(map[string]any)["id"] == cmd["id"] {
			list[i] = cmd
			return cmd
		}
	}
	s.commands[scope] = append(list, cmd)
	return cmd
}

func (s *Server) commandLocked(scope string, obj map[string]any) map[string]any {
	cmd := make(map[string]any, len(obj)+4)
	for k, v := range obj {
		cmd[k] = v
	}
	if _, ok := cmd["type"]; !ok || cmd["type"] == nil {
		cmd["type"] = 1
	}
	key := fmt.Sprint(scope, "/", cmd["type"], "/", cmd["name"])
	id, ok := s.commandIDs[key]
	if !ok {
		id = s.newIDLocked()
		s.commandIDs[key] = id
	}
	cmd["id"] = id
	cmd["application_id"] = ApplicationID
	cmd["version"] = s.newIDLocked()
	if scope != "global" {
		cmd["guild_id"] = scope
	}
	return cmd
}

func botUser() map[string]any {
	return map[string]any{
		"id": BotUserID, "username": BotUsername, "discriminator": "0", "global_name": nil,
		"avatar": nil, "bot": true, "flags": 0,
	}
}

func flagsOf(body map[string]any) int64 {
	f, _ := integer(body["flags"])
	return f
}

func nonNil(v []any) []any {
	if v == nil {
		return []any{}
	}
	return v
}
