<?php

/* lmstv plugin — the shim's shared tvstbremove screen (shim/modules/tvstbremove.php). */
require LMSTVPlugin::shimDir() . DIRECTORY_SEPARATOR . 'modules' . DIRECTORY_SEPARATOR . basename(__FILE__);
