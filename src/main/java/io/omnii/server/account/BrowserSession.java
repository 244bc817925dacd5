package io.omnii.server.account;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

@Entity
@Table(name = "browser_session")
public class BrowserSession {

    @Id
    public UUID id;

    @Column(name = "user_id")
    public UUID userId;

    /** SHA-256 of the cookie's secret. */
    @Column(name = "secret_hash")
    public byte[] secretHash;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "last_seen_at")
    public Instant lastSeenAt;

    /** The absolute expiry. */
    @Column(name = "expires_at")
    public Instant expiresAt;
}
