<?php

/* lmstv plugin — the shim's shared tvbillingevents screen (shim/modules/tvbillingevents.php). */
require LMSTVPlugin::shimDir() . DIRECTORY_SEPARATOR . 'modules' . DIRECTORY_SEPARATOR . basename(__FILE__);
