"""Local AWS emulator for the freelancer platform.

moto's server mode in one local process, with narrow patches that restore what AWS
really answers (``freelancer_emulator.patches``) and a Lambda runner that executes
handlers as local Python processes instead of Docker containers
(``freelancer_emulator.lambda_runner``).

Importing this package does not import moto: ``serve`` has to set moto's
environment before moto is first imported.
"""

__version__ = "0.1.0"
