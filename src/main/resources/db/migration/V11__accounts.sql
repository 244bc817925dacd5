-- People who use the API and the console (package account). The password is only ever stored as an Argon2id PHC
-- string. An admin may change tags, so a scope would not hold one: admins are unscoped.
CREATE TABLE user_account (
    id               uuid         PRIMARY KEY,
    username         varchar(64)  NOT NULL,
    display_name     varchar(200) NOT NULL,
    role             varchar(20)  NOT NULL,
    scope_tags       text[]       NOT NULL DEFAULT '{}',
    password_hash    varchar(200) NOT NULL,
    disabled         boolean      NOT NULL DEFAULT false,
    created_at       timestamptz  NOT NULL,
    last_sign_in_at  timestamptz,
    CONSTRAINT user_account_role_check CHECK (role IN ('viewer', 'operator', 'admin')),
    CONSTRAINT user_account_admin_unscoped CHECK (role <> 'admin' OR cardinality(scope_tags) = 0)
);

-- Usernames are unique whatever their case: "Alice" and "alice" are one person.
CREATE UNIQUE INDEX user_account_username_idx ON user_account (lower(username));
CREATE INDEX user_account_created_idx ON user_account (created_at, id);

-- Personal API tokens. Only the SHA-256 of a token is stored (256 random bits: no slow hash needed), looked up by it.
-- role null: the owner's role, whatever it is at the time of use.
CREATE TABLE personal_token (
    id            uuid         PRIMARY KEY,
    user_id       uuid         NOT NULL REFERENCES user_account (id) ON DELETE CASCADE,
    name          varchar(100) NOT NULL,
    token_hash    bytea        NOT NULL,
    role          varchar(20),
    scope_tags    text[]       NOT NULL DEFAULT '{}',
    created_at    timestamptz  NOT NULL,
    expires_at    timestamptz,
    revoked_at    timestamptz,
    last_used_at  timestamptz,
    CONSTRAINT personal_token_role_check CHECK (role IN ('viewer', 'operator', 'admin'))
);

CREATE UNIQUE INDEX personal_token_hash_idx ON personal_token (token_hash);
CREATE INDEX personal_token_user_idx ON personal_token (user_id, created_at);

-- Browser sessions: only the SHA-256 of the cookie's secret is stored. expires_at is the absolute expiry; the idle
-- expiry is last_seen_at plus omnii.accounts.session.idle-timeout.
CREATE TABLE browser_session (
    id            uuid         PRIMARY KEY,
    user_id       uuid         NOT NULL REFERENCES user_account (id) ON DELETE CASCADE,
    secret_hash   bytea        NOT NULL,
    created_at    timestamptz  NOT NULL,
    last_seen_at  timestamptz  NOT NULL,
    expires_at    timestamptz  NOT NULL
);

CREATE UNIQUE INDEX browser_session_secret_idx ON browser_session (secret_hash);
CREATE INDEX browser_session_user_idx ON browser_session (user_id);

-- Token buckets that throttle failed sign-ins per username and per client address, shared by every replica
-- (the same arithmetic as enrollment_throttle: common/TokenBuckets).
CREATE TABLE sign_in_throttle (
    bucket      varchar(100)     PRIMARY KEY,
    tokens      double precision NOT NULL,
    updated_at  timestamptz      NOT NULL
);
