-- Attachments of notifications (exports, charts), in the order they are sent. They are kept only
-- until the notification is sent, shown or given up: an export is personal data as much as the
-- message is.
CREATE TABLE notification_files (
    guild_id        text   NOT NULL,
    notification_id bigint NOT NULL,
    ord             int    NOT NULL,
    name            text   NOT NULL CHECK (name <> ''),
    content_type    text   NOT NULL DEFAULT '',
    data            bytea  NOT NULL,
    PRIMARY KEY (guild_id, notification_id, ord),
    FOREIGN KEY (guild_id, notification_id) REFERENCES notifications (guild_id, id) ON DELETE CASCADE
);

---- create above / drop below ----

DROP TABLE notification_files;
