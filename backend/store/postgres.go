package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Postgres keeps every document as a row of the table triage_state. An
// update locks its row (SELECT ... FOR UPDATE) for the read-modify-write,
// so sessions on any host sharing the database never lose each other's
// changes.
type Postgres struct {
	pool *pgxpool.Pool
	host string // for messages: the server, never the password
}

// timeout bounds each call: the console waits on it off the key path, and
// a database that does not answer must say so rather than hang a session.
const timeout = 15 * time.Second

// schema is created on first use; the advisory lock keeps two hosts
// starting at once from racing on CREATE TABLE (which is not safe to run
// concurrently even with IF NOT EXISTS).
const schema = `
SELECT pg_advisory_xact_lock(7469616765); -- "triage"
CREATE TABLE IF NOT EXISTS triage_state (
	name       text PRIMARY KEY,
	doc        text NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now()
)`

// OpenPostgres connects to the database at dsn (a postgres:// URL or
// key=value connection string, as libpq takes) and makes sure the table
// exists.
func OpenPostgres(dsn string) (*Postgres, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("state database: %w", err)
	}
	p := &Postgres{host: fmt.Sprintf("PostgreSQL %s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if p.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", p.host, err)
	}
	if err := p.pool.Ping(ctx); err != nil {
		p.pool.Close()
		return nil, fmt.Errorf("%s: cannot connect: %w", p.host, err)
	}
	// Once created, the table needs no CREATE privilege: look before
	// creating. The simple protocol runs the statements as one transaction.
	var exists bool
	if err := p.pool.QueryRow(ctx, `SELECT to_regclass('triage_state') IS NOT NULL`).Scan(&exists); err != nil {
		p.pool.Close()
		return nil, fmt.Errorf("%s: %w", p.host, err)
	}
	if !exists {
		if _, err := p.pool.Exec(ctx, "BEGIN;"+schema+";COMMIT", pgx.QueryExecModeSimpleProtocol); err != nil {
			p.pool.Close()
			return nil, fmt.Errorf("%s: creating table triage_state: %w", p.host, err)
		}
	}
	return p, nil
}

func (p *Postgres) Where(name string) string { return p.host + " triage_state " + name }

func (p *Postgres) Close() error { p.pool.Close(); return nil }

func (p *Postgres) Read(name string, v any) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var doc string
	err := p.pool.QueryRow(ctx, `SELECT doc FROM triage_state WHERE name = $1`, name).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: reading %s: %w", p.host, name, err)
	}
	return p.decode(name, doc, v)
}

func (p *Postgres) Update(name string, v any, change func() error) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var refused error // change's own answer goes back as it is
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		// The row must exist to be locked; a concurrent first insert waits
		// on the key and then does nothing.
		if _, err := tx.Exec(ctx, `INSERT INTO triage_state (name, doc) VALUES ($1, 'null') ON CONFLICT (name) DO NOTHING`, name); err != nil {
			return err
		}
		var doc string
		if err := tx.QueryRow(ctx, `SELECT doc FROM triage_state WHERE name = $1 FOR UPDATE`, name).Scan(&doc); err != nil {
			return err
		}
		if refused = p.decode(name, doc, v); refused != nil {
			return refused
		}
		if refused = change(); refused != nil {
			return refused
		}
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE triage_state SET doc = $2, updated_at = now() WHERE name = $1`, name, string(data))
		return err
	})
	if refused != nil {
		return refused
	}
	if err != nil {
		return fmt.Errorf("%s: saving %s: %w", p.host, name, err)
	}
	return nil
}

// decode reads a saved document; one that is not JSON is refused, never
// overwritten, as the file store does.
func (p *Postgres) decode(name, doc string, v any) error {
	if err := json.Unmarshal([]byte(doc), v); err != nil {
		return fmt.Errorf("%s: %s is not readable (%v): fix or delete the row; triage will not overwrite it", p.host, name, err)
	}
	return nil
}
