import { check, publish } from '../../shared/check.js';

publish(check());
