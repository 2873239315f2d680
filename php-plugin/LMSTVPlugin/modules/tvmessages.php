<?php

/* lmstv plugin — the shim's shared tvmessages screen (shim/modules/tvmessages.php). */
require LMSTVPlugin::shimDir() . DIRECTORY_SEPARATOR . 'modules' . DIRECTORY_SEPARATOR . basename(__FILE__);
