<?php

/* lmstv plugin — the shim's shared tvstblist screen (shim/modules/tvstblist.php). */
require LMSTVPlugin::shimDir() . DIRECTORY_SEPARATOR . 'modules' . DIRECTORY_SEPARATOR . basename(__FILE__);
