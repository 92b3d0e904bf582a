-- Portfolio items: files a freelancer uploaded to the portfolio bucket, under
-- their own prefix (the bucket policy lets the application write only there).

CREATE TABLE IF NOT EXISTS portfolio_items (
  item_id      BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  user_id      VARCHAR(64)     NOT NULL COMMENT 'the freelancer who owns the item',
  user_type    ENUM('freelancer', 'client') NOT NULL DEFAULT 'freelancer',
  title        VARCHAR(200)    NOT NULL,
  description  TEXT            NULL,
  s3_key       VARCHAR(1024)   NOT NULL,
  content_type VARCHAR(128)    NOT NULL,
  project_url  VARCHAR(500)    NULL,
  created_at   DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at   DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (item_id),
  KEY idx_portfolio_items_user_created (user_id, created_at),
  CONSTRAINT ck_portfolio_items_type CHECK (user_type = 'freelancer'),
  CONSTRAINT fk_portfolio_items_freelancer FOREIGN KEY (user_id, user_type) REFERENCES users (user_id, user_type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
