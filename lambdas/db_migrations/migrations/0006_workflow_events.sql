-- The project workflow's audit trail (WF-1, WF-2): one row per attempt of each
-- Lambda task of a project lifecycle execution, with its outcome. A transient
-- error (which the state machine retries with backoff) is a row with outcome
-- 'transient_error'; the failure path records a failed execution as a row with
-- outcome 'failed' and the error and cause Step Functions reported.
-- project_id and user_id are NULL only when an execution named no existing
-- project (bad input), which is itself recorded as a failure.
-- user_id / user_type: the client who owns the project (DB-4).

CREATE TABLE IF NOT EXISTS workflow_events (
  event_id      BIGINT UNSIGNED   NOT NULL AUTO_INCREMENT,
  project_id    BIGINT UNSIGNED   NULL,
  milestone_id  BIGINT UNSIGNED   NULL,
  user_id       VARCHAR(64)       NULL COMMENT 'the client who owns the project',
  user_type     ENUM('freelancer', 'client') NOT NULL DEFAULT 'client',
  execution_arn VARCHAR(512)      NOT NULL,
  state_name    VARCHAR(128)      NOT NULL,
  action        VARCHAR(64)       NOT NULL,
  attempt       SMALLINT UNSIGNED NOT NULL DEFAULT 1,
  outcome       ENUM('succeeded', 'transient_error', 'failed') NOT NULL,
  error         VARCHAR(256)      NULL,
  detail        JSON              NULL,
  created_at    DATETIME(3)       NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (event_id),
  KEY idx_workflow_events_project (project_id, created_at),
  KEY idx_workflow_events_execution (execution_arn, state_name),
  KEY idx_workflow_events_client (user_id, created_at),
  KEY idx_workflow_events_failures (outcome, created_at),
  CONSTRAINT ck_workflow_events_type CHECK (user_type = 'client'),
  CONSTRAINT ck_workflow_events_attempt CHECK (attempt >= 1),
  CONSTRAINT fk_workflow_events_project FOREIGN KEY (project_id) REFERENCES projects (project_id),
  CONSTRAINT fk_workflow_events_milestone FOREIGN KEY (milestone_id) REFERENCES milestones (milestone_id),
  CONSTRAINT fk_workflow_events_client FOREIGN KEY (user_id, user_type) REFERENCES users (user_id, user_type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
