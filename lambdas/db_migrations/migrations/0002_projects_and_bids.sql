-- Projects posted by clients and the bids freelancers place on them.
-- status follows the project lifecycle state machine (WF-1).

CREATE TABLE IF NOT EXISTS projects (
  project_id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  user_id                VARCHAR(64)     NOT NULL COMMENT 'the client who owns the project',
  user_type              ENUM('freelancer', 'client') NOT NULL DEFAULT 'client',
  title                  VARCHAR(200)    NOT NULL,
  description            TEXT            NULL,
  budget_type            ENUM('fixed', 'hourly') NOT NULL DEFAULT 'fixed',
  budget_amount          DECIMAL(12,2)   NULL,
  currency               CHAR(3)         NOT NULL DEFAULT 'USD',
  status                 ENUM('created', 'bidding_open', 'freelancer_selected', 'milestones_defined',
                              'in_progress', 'completed', 'cancelled') NOT NULL DEFAULT 'created',
  selected_freelancer_id   VARCHAR(64)  NULL,
  selected_freelancer_type ENUM('freelancer', 'client') NOT NULL DEFAULT 'freelancer',
  workflow_execution_arn VARCHAR(512)    NULL,
  bidding_closes_at      DATETIME(3)     NULL,
  created_at             DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at             DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (project_id),
  KEY idx_projects_client_status (user_id, status, created_at),
  KEY idx_projects_status_created (status, created_at),
  KEY idx_projects_freelancer_status (selected_freelancer_id, status),
  CONSTRAINT ck_projects_type CHECK (user_type = 'client'),
  CONSTRAINT ck_projects_selected_type CHECK (selected_freelancer_type = 'freelancer'),
  CONSTRAINT ck_projects_budget CHECK (budget_amount IS NULL OR budget_amount >= 0),
  CONSTRAINT fk_projects_client FOREIGN KEY (user_id, user_type) REFERENCES users (user_id, user_type),
  CONSTRAINT fk_projects_freelancer FOREIGN KEY (selected_freelancer_id, selected_freelancer_type)
    REFERENCES users (user_id, user_type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS bids (
  bid_id        BIGINT UNSIGNED   NOT NULL AUTO_INCREMENT,
  project_id    BIGINT UNSIGNED   NOT NULL,
  user_id       VARCHAR(64)       NOT NULL COMMENT 'the freelancer who bids',
  user_type     ENUM('freelancer', 'client') NOT NULL DEFAULT 'freelancer',
  amount        DECIMAL(12,2)     NOT NULL,
  currency      CHAR(3)           NOT NULL DEFAULT 'USD',
  delivery_days SMALLINT UNSIGNED NULL,
  cover_letter  TEXT              NULL,
  status        ENUM('submitted', 'withdrawn', 'accepted', 'rejected') NOT NULL DEFAULT 'submitted',
  created_at    DATETIME(3)       NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at    DATETIME(3)       NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (bid_id),
  UNIQUE KEY uq_bids_project_freelancer (project_id, user_id),
  KEY idx_bids_project_status (project_id, status, created_at),
  KEY idx_bids_freelancer_created (user_id, created_at),
  CONSTRAINT ck_bids_type CHECK (user_type = 'freelancer'),
  CONSTRAINT ck_bids_amount CHECK (amount > 0),
  CONSTRAINT fk_bids_project FOREIGN KEY (project_id) REFERENCES projects (project_id),
  CONSTRAINT fk_bids_freelancer FOREIGN KEY (user_id, user_type) REFERENCES users (user_id, user_type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
