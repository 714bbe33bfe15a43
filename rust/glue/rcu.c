// SPDX-License-Identifier: GPL-2.0
/*
 * The workqueue of ripc's RCU-deferred releases (rust/glue/rcu.rs):
 * alloc_workqueue() and INIT_RCU_WORK() are macros.
 */

#include <linux/rcupdate.h>
#include <linux/workqueue.h>

int ripc_rcu_wq_create(void);
void ripc_rcu_wq_destroy(void);
void ripc_queue_rcu_work(struct rcu_work *rwork, work_func_t func);

static struct workqueue_struct *ripc_rcu_wq;

/* At module init, before anything can be released; only once. */
int ripc_rcu_wq_create(void)
{
	if (ripc_rcu_wq)
		return -EBUSY;
	ripc_rcu_wq = alloc_workqueue("ripc_rcu", WQ_UNBOUND, 0);
	return ripc_rcu_wq ? 0 : -ENOMEM;
}

/*
 * At module exit, once nothing can queue more: rcu_barrier() waits for
 * the grace periods of the releases queued so far (their callbacks then
 * queue the work), destroy_workqueue() for the works.
 */
void ripc_rcu_wq_destroy(void)
{
	rcu_barrier();
	destroy_workqueue(ripc_rcu_wq);
	ripc_rcu_wq = NULL;
}

/*
 * Runs func(&rwork->work) in process context after a grace period: on the
 * workqueue, or, should there be none (a bug), here after waiting for one.
 */
void ripc_queue_rcu_work(struct rcu_work *rwork, work_func_t func)
{
	INIT_RCU_WORK(rwork, func);
	if (WARN_ON_ONCE(!ripc_rcu_wq)) {
		synchronize_rcu();
		func(&rwork->work);
		return;
	}
	queue_rcu_work(ripc_rcu_wq, rwork);
}
