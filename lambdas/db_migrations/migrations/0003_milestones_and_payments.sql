-- Milestones of a project and the payments that settle them.
-- A payment is recorded once per payment-provider event: provider_event_id is
-- unique, so a replayed webhook cannot record a second payment.

CREATE TABLE IF NOT EXISTS milestones (
  milestone_id BIGINT UNSIGNED   NOT NULL AUTO_INCREMENT,
  project_id   BIGINT UNSIGNED   NOT NULL,
  user_id      VARCHAR(64)       NOT NULL COMMENT 'the client who owns the project',
  user_type    ENUM('freelancer', 'client') NOT NULL DEFAULT 'client',
  sequence_no  SMALLINT UNSIGNED NOT NULL,
  title        VARCHAR(200)      NOT NULL,
  description  TEXT              NULL,
  amount       DECIMAL(12,2)     NOT NULL,
  currency     CHAR(3)           NOT NULL DEFAULT 'USD',
  due_date     DATE              NULL,
  status       ENUM('pending', 'in_progress', 'submitted', 'approved', 'rejected', 'paid') NOT NULL DEFAULT 'pending',
  approved_at  DATETIME(3)       NULL,
  paid_at      DATETIME(3)       NULL,
  created_at   DATETIME(3)       NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at   DATETIME(3)       NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (milestone_id),
  UNIQUE KEY uq_milestones_project_sequence (project_id, sequence_no),
  KEY idx_milestones_project_status (project_id, status),
  KEY idx_milestones_client_status (user_id, status),
  CONSTRAINT ck_milestones_type CHECK (user_type = 'client'),
  CONSTRAINT ck_milestones_amount CHECK (amount > 0),
  CONSTRAINT fk_milestones_project FOREIGN KEY (project_id) REFERENCES projects (project_id),
  CONSTRAINT fk_milestones_client FOREIGN KEY (user_id, user_type) REFERENCES users (user_id, user_type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS payments (
  payment_id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  provider            VARCHAR(32)     NOT NULL,
  provider_event_id   VARCHAR(255)    NOT NULL,
  provider_payment_id VARCHAR(255)    NULL,
  milestone_id        BIGINT UNSIGNED NOT NULL,
  project_id          BIGINT UNSIGNED NOT NULL,
  user_id             VARCHAR(64)     NOT NULL COMMENT 'the client who pays',
  user_type           ENUM('freelancer', 'client') NOT NULL DEFAULT 'client',
  amount              DECIMAL(12,2)   NOT NULL,
  currency            CHAR(3)         NOT NULL,
  status              ENUM('pending', 'succeeded', 'failed', 'refunded') NOT NULL,
  payload             JSON            NULL COMMENT 'the verified provider event, for audit',
  received_at         DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at          DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (payment_id),
  UNIQUE KEY uq_payments_provider_event (provider_event_id),
  KEY idx_payments_milestone (milestone_id, status),
  KEY idx_payments_project (project_id, received_at),
  KEY idx_payments_client (user_id, received_at),
  CONSTRAINT ck_payments_type CHECK (user_type = 'client'),
  CONSTRAINT ck_payments_amount CHECK (amount > 0),
  CONSTRAINT fk_payments_milestone FOREIGN KEY (milestone_id) REFERENCES milestones (milestone_id),
  CONSTRAINT fk_payments_project FOREIGN KEY (project_id) REFERENCES projects (project_id),
  CONSTRAINT fk_payments_client FOREIGN KEY (user_id, user_type) REFERENCES users (user_id, user_type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
