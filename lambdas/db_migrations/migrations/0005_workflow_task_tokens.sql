-- Task tokens of project workflow executions that wait for something outside
-- the state machine (a callback task, `.waitForTaskToken`).
-- The workflow stores the token here before it waits; whoever completes the
-- wait (the payment webhook for waiting_for = 'milestone_payment') finds the
-- token by project and milestone, calls states:SendTaskSuccess with it and marks
-- the row resumed. A token whose execution ended (timeout, cancel) is marked
-- expired. user_id / user_type: the client who owns the project (DB-4).

CREATE TABLE IF NOT EXISTS workflow_task_tokens (
  token_id      BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  project_id    BIGINT UNSIGNED NOT NULL,
  milestone_id  BIGINT UNSIGNED NULL COMMENT 'NULL for waits that concern the whole project',
  user_id       VARCHAR(64)     NOT NULL COMMENT 'the client who owns the project',
  user_type     ENUM('freelancer', 'client') NOT NULL DEFAULT 'client',
  waiting_for   VARCHAR(64)     NOT NULL COMMENT 'what completes the wait, e.g. milestone_payment, milestone_approval',
  execution_arn VARCHAR(512)    NOT NULL,
  state_name    VARCHAR(128)    NOT NULL DEFAULT '',
  task_token    VARCHAR(2048)   NOT NULL,
  status        ENUM('waiting', 'resumed', 'failed', 'expired') NOT NULL DEFAULT 'waiting',
  created_at    DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  resolved_at   DATETIME(3)     NULL,
  PRIMARY KEY (token_id),
  KEY idx_workflow_task_tokens_wait (milestone_id, waiting_for, status),
  KEY idx_workflow_task_tokens_project (project_id, waiting_for, status),
  KEY idx_workflow_task_tokens_client (user_id, created_at),
  CONSTRAINT ck_workflow_task_tokens_type CHECK (user_type = 'client'),
  CONSTRAINT fk_workflow_task_tokens_project FOREIGN KEY (project_id) REFERENCES projects (project_id),
  CONSTRAINT fk_workflow_task_tokens_milestone FOREIGN KEY (milestone_id) REFERENCES milestones (milestone_id),
  CONSTRAINT fk_workflow_task_tokens_client FOREIGN KEY (user_id, user_type) REFERENCES users (user_id, user_type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
