-- Users of both kinds and their profiles.
-- user_id is the Cognito "sub" of the user in the pool of their kind; user_type
-- says which pool (freelancers or clients). Every tenant-owned table carries both
-- and references users (user_id, user_type), so a row can never claim another
-- kind of owner than the user really is.

CREATE TABLE IF NOT EXISTS users (
  user_id      VARCHAR(64)  NOT NULL,
  user_type    ENUM('freelancer', 'client') NOT NULL,
  email        VARCHAR(320) NOT NULL,
  display_name VARCHAR(200) NOT NULL DEFAULT '',
  status       ENUM('active', 'suspended', 'deleted') NOT NULL DEFAULT 'active',
  created_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (user_id),
  UNIQUE KEY uq_users_id_type (user_id, user_type),
  UNIQUE KEY uq_users_type_email (user_type, email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS freelancer_profiles (
  user_id          VARCHAR(64)   NOT NULL,
  user_type        ENUM('freelancer', 'client') NOT NULL DEFAULT 'freelancer',
  headline         VARCHAR(200)  NOT NULL DEFAULT '',
  bio              TEXT          NULL,
  skills           JSON          NULL,
  hourly_rate      DECIMAL(10,2) NULL,
  currency         CHAR(3)       NOT NULL DEFAULT 'USD',
  experience_level ENUM('entry', 'intermediate', 'expert') NULL,
  portfolio_links  JSON          NULL,
  created_at       DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at       DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (user_id),
  KEY idx_freelancer_profiles_level_rate (experience_level, hourly_rate),
  CONSTRAINT ck_freelancer_profiles_type CHECK (user_type = 'freelancer'),
  CONSTRAINT ck_freelancer_profiles_rate CHECK (hourly_rate IS NULL OR hourly_rate >= 0),
  CONSTRAINT fk_freelancer_profiles_user FOREIGN KEY (user_id, user_type) REFERENCES users (user_id, user_type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS client_profiles (
  user_id           VARCHAR(64)  NOT NULL,
  user_type         ENUM('freelancer', 'client') NOT NULL DEFAULT 'client',
  company_name      VARCHAR(200) NOT NULL DEFAULT '',
  industry          VARCHAR(100) NOT NULL DEFAULT '',
  budget_preference ENUM('fixed', 'hourly', 'either') NOT NULL DEFAULT 'either',
  website           VARCHAR(500) NULL,
  created_at        DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at        DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (user_id),
  KEY idx_client_profiles_industry (industry),
  CONSTRAINT ck_client_profiles_type CHECK (user_type = 'client'),
  CONSTRAINT fk_client_profiles_user FOREIGN KEY (user_id, user_type) REFERENCES users (user_id, user_type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
