<?php

/* lmstv plugin — the shim's shared tvcleancache screen (shim/modules/tvcleancache.php). */
require LMSTVPlugin::shimDir() . DIRECTORY_SEPARATOR . 'modules' . DIRECTORY_SEPARATOR . basename(__FILE__);
