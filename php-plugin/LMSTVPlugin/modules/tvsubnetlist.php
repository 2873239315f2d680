<?php

/* lmstv plugin — the shim's shared tvsubnetlist screen (shim/modules/tvsubnetlist.php). */
require LMSTVPlugin::shimDir() . DIRECTORY_SEPARATOR . 'modules' . DIRECTORY_SEPARATOR . basename(__FILE__);
