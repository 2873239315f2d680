<?php

/* lmstv plugin — the shim's shared tvbulk screen (shim/modules/tvbulk.php). */
require LMSTVPlugin::shimDir() . DIRECTORY_SEPARATOR . 'modules' . DIRECTORY_SEPARATOR . basename(__FILE__);
