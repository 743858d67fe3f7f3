-- Records which node ran this migration: it must be the primary.
CREATE TABLE flyway_origin (in_recovery boolean NOT NULL, port integer NOT NULL);
INSERT INTO flyway_origin SELECT pg_is_in_recovery(), inet_server_port();
CREATE TABLE note (id bigserial PRIMARY KEY, body text NOT NULL);
