-- The collection every document lands in when none is named (SQLite: migrations/0004_collections.sql).
INSERT INTO "collections" ("id", "name") VALUES ('allgemein', 'Allgemein') ON CONFLICT DO NOTHING;
