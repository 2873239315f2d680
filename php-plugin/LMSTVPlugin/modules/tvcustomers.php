<?php

/* lmstv plugin — the shim's shared tvcustomers screen (shim/modules/tvcustomers.php). */
require LMSTVPlugin::shimDir() . DIRECTORY_SEPARATOR . 'modules' . DIRECTORY_SEPARATOR . basename(__FILE__);
