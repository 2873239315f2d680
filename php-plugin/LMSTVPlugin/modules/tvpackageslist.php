<?php

/* lmstv plugin — the shim's shared tvpackageslist screen (shim/modules/tvpackageslist.php). */
require LMSTVPlugin::shimDir() . DIRECTORY_SEPARATOR . 'modules' . DIRECTORY_SEPARATOR . basename(__FILE__);
