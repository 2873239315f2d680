<?php

/* lmstv plugin — the shim's shared tvstbadd screen (shim/modules/tvstbadd.php). */
require LMSTVPlugin::shimDir() . DIRECTORY_SEPARATOR . 'modules' . DIRECTORY_SEPARATOR . basename(__FILE__);
