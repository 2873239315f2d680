<?php

/* lmstv plugin — the shim's shared tvexport screen (shim/modules/tvexport.php). */
require LMSTVPlugin::shimDir() . DIRECTORY_SEPARATOR . 'modules' . DIRECTORY_SEPARATOR . basename(__FILE__);
