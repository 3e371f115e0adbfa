-- +goose Up
-- Staff accounts and their sessions (issue 11, back-office). Sessions live
-- here so every node shares them; the cookie carries a random id whose
-- SHA-256 only is stored (a leaked table gives no usable cookie).

CREATE TABLE staff (
    id              bigserial PRIMARY KEY,
    email           text NOT NULL,
    role            text NOT NULL CHECK (role IN ('admin', 'moderateur', 'relais')),
    -- académie codes a relais sees (empty for the other roles)
    academies       text[] NOT NULL DEFAULT '{}',
    -- argon2id PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash)
    password_hash   text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    -- base32 TOTP secret, drawn at the first login; '' until then or
    -- after a reset
    totp_secret     text NOT NULL DEFAULT '',
    totp_enrolled   boolean NOT NULL DEFAULT false,
    -- last accepted TOTP time step: a code is never accepted twice
    totp_last_step  bigint NOT NULL DEFAULT 0,
    failed_attempts integer NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    disabled        boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (role = 'relais' OR academies = '{}'),
    CHECK (role <> 'relais' OR academies <> '{}')
);
CREATE UNIQUE INDEX staff_email ON staff (lower(email));

CREATE TABLE staff_sessions (
    -- SHA-256 of the random cookie value
    id_hash         bytea PRIMARY KEY,
    staff_id        bigint NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    -- 'mot_de_passe': password checked, second factor awaited (no access);
    -- 'complete': signed in
    etape           text NOT NULL CHECK (etape IN ('mot_de_passe', 'complete')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_seen       timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    -- session-bound token of every staff form
    csrf_token      text NOT NULL
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);
CREATE INDEX staff_sessions_expires ON staff_sessions (expires_at);

-- the staff member a request is assigned to, and the author of a history
-- row, are accounts (never deleted: disabled)
ALTER TABLE signalements ADD CONSTRAINT signalements_assigne_a_fkey FOREIGN KEY (assigne_a) REFERENCES staff (id);
ALTER TABLE signalement_evenements ADD CONSTRAINT signalement_evenements_staff_id_fkey FOREIGN KEY (staff_id) REFERENCES staff (id);

-- +goose Down
ALTER TABLE signalement_evenements DROP CONSTRAINT signalement_evenements_staff_id_fkey;
ALTER TABLE signalements DROP CONSTRAINT signalements_assigne_a_fkey;
DROP TABLE staff_sessions;
DROP TABLE staff;
