"""What every comms area's routes share: the scopes they need and the service's runtime."""

from __future__ import annotations

from civic.http import current_runtime, require
from fastapi import Depends

READ = Depends(require("comms:read"))
WRITE = Depends(require("comms:write"))
RT = Depends(current_runtime)
