CREATE TABLE note (
	id bigserial PRIMARY KEY,
	body text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
