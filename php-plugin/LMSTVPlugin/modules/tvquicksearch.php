<?php

/* lmstv plugin — the shim's shared tvquicksearch screen (shim/modules/tvquicksearch.php). */
require LMSTVPlugin::shimDir() . DIRECTORY_SEPARATOR . 'modules' . DIRECTORY_SEPARATOR . basename(__FILE__);
