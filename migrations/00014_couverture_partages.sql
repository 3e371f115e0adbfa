-- +goose Up
-- Shareable results of the coverage analyser (/couverture): nothing is
-- stored unless the visitor asks for a link. id is 128 random bits
-- (base64url, not guessable); data is the result (gzip-compressed JSON:
-- summary and every row, the partner's own ids included); expired rows
-- answer 410 until store.PurgeCoverageShares deletes them.
CREATE TABLE couverture_partages (
    id         text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    lignes     integer NOT NULL,
    data       bytea NOT NULL
);
CREATE INDEX couverture_partages_expires ON couverture_partages (expires_at);

-- +goose Down
DROP TABLE couverture_partages;
