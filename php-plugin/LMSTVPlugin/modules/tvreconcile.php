<?php

/* lmstv plugin — the shim's shared tvreconcile screen (shim/modules/tvreconcile.php). */
require LMSTVPlugin::shimDir() . DIRECTORY_SEPARATOR . 'modules' . DIRECTORY_SEPARATOR . basename(__FILE__);
