"""Code shared by the platform's Lambda functions.

Packaged into each function's zip at its root (``freelancer_common/``) by
``freelancer.platform.lambda_package``, so a handler imports it as
``from freelancer_common import db``.
"""
